using System.Net;
using KubeProxy.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Sources.Tests.Manifests;

public class ManifestSourceTests
{
    private static ObjectName Default(string name) => new("default", name);

    [Fact]
    public async Task Reads_multi_document_yaml_lists_and_json()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("a.yaml", Yaml.Docs(Yaml.Service("one", "198.19.0.1"), Yaml.Slice("one-abcde", "one", "198.18.64.1"), ""));
        dir.Write("b.yml", """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: two, namespace: other}
              spec: {clusterIP: 198.19.0.2, ports: [{port: 80}]}
            """);
        dir.Write("c.json", """{"apiVersion":"v1","kind":"Service","metadata":{"name":"three"},"spec":{"clusterIP":"198.19.0.3","ports":[{"port":80}]}}""");
        dir.Write("d.json", """
            {"apiVersion": "v1", "kind": "ServiceList", "items": [
              {"metadata": {"name": "four"}, "spec": {"clusterIP": "198.19.0.4", "ports": [{"port": 80}]}}
            ]}
            """);

        await dir.StartAsync();

        Assert.Equal(
            [Default("four"), Default("one"), Default("three"), new ObjectName("other", "two")],
            dir.Sink.Services.Keys.Order().ToArray());
        Assert.Equal(Default("one"), dir.Sink.Slices[Default("one-abcde")].Service);
        Assert.EndsWith("a.yaml", dir.Sink.Services[Default("one")].Origin, StringComparison.Ordinal);
        Assert.Empty(dir.Logger.Warnings);
    }

    [Fact]
    public async Task First_read_ends_with_cidrs_and_both_synced_callbacks_once()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("svc.yaml", Yaml.Service("web", "198.19.0.10"));
        await dir.StartAsync();

        Assert.Equal(["ServiceCIDRs []", "+Service default/web", "ServicesSynced", "EndpointSlicesSynced"], dir.Sink.Calls);

        dir.Write("svc2.yaml", Yaml.Service("web2", "198.19.0.11"));
        await dir.WaitForServiceAsync("web2");
        Assert.Equal(1, dir.Sink.ServicesSyncedCount);
        Assert.Equal(1, dir.Sink.SlicesSyncedCount);
        Assert.Equal(1, dir.Sink.CidrCallCount);
    }

    [Fact]
    public async Task Invalid_object_is_skipped_with_one_warning_and_the_rest_loads()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("svc.yaml", Yaml.Docs(
            Yaml.Service("good", "198.19.0.1"),
            Yaml.Service("bad", "198.19.0.2", port: 70000),
            Yaml.Service("wrong-shape", "198.19.0.3").Replace("port: 80", "port: eighty", StringComparison.Ordinal)));
        await dir.StartAsync();

        Assert.Equal([Default("good")], dir.Sink.Services.Keys.ToArray());
        var warnings = dir.Logger.Warnings;
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(2110, w.EventId));
        Assert.Contains("Service bad in", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("svc.yaml", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("Service wrong-shape", warnings[1].Message, StringComparison.Ordinal);
        Assert.Contains("spec.ports[0].port: The JSON value could not be converted to System.Int32.", warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task File_that_stops_parsing_keeps_its_last_good_content()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("svc.yaml", Yaml.Docs(Yaml.Service("web", "198.19.0.10"), Yaml.Service("api", "198.19.0.11")));
        await dir.StartAsync();
        Assert.Equal(2, dir.Sink.Services.Count);

        dir.Write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web\n  broken: [\n");
        await ManifestTestDirectory.WaitUntilAsync(() => dir.Logger.Warnings.Any(w => w.EventId == 2111), "parse warning");
        Assert.Contains("svc.yaml", dir.Logger.Warnings.Single().Message, StringComparison.Ordinal);
        Assert.Equal(2, dir.Sink.Services.Count);
        Assert.DoesNotContain(dir.Sink.Calls, c => c.StartsWith('-'));

        dir.Write("svc.yaml", Yaml.Service("web", "198.19.0.10", port: 81));
        await dir.WaitForNoServiceAsync("api");
        Assert.Equal(81, dir.Sink.Services[Default("web")].Ports[0].Port);
    }

    [Fact]
    public async Task Create_write_rename_and_delete_are_picked_up()
    {
        await using var dir = new ManifestTestDirectory();
        await dir.StartAsync();
        Assert.Empty(dir.Sink.Services);

        var path = dir.Write("svc.yaml", Yaml.Service("web", "198.19.0.10"));
        await dir.WaitForServiceAsync("web");

        dir.Write("svc.yaml", Yaml.Service("web", "198.19.0.10", port: 8080));
        await dir.WaitForServiceAsync("web", s => s.Ports[0].Port == 8080);

        // Renaming to a name the source ignores removes the objects; renaming back restores them.
        File.Move(path, path + ".disabled");
        await dir.WaitForNoServiceAsync("web");
        File.Move(path + ".disabled", Path.Combine(dir.Path, "renamed.yml"));
        await dir.WaitForServiceAsync("web");
        Assert.EndsWith("renamed.yml", dir.Sink.Services[Default("web")].Origin, StringComparison.Ordinal);

        File.Delete(Path.Combine(dir.Path, "renamed.yml"));
        await dir.WaitForNoServiceAsync("web");
        Assert.Empty(dir.Logger.Warnings);
    }

    [Fact]
    public async Task Atomic_replace_by_rename_is_picked_up()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("svc.yaml", Yaml.Service("web", "198.19.0.10"));
        await dir.StartAsync();

        // What editors and ConfigMap volumes do: write elsewhere, then rename over the file.
        var temp = dir.Write(".svc.yaml.tmp", Yaml.Service("web", "198.19.0.10", port: 9090));
        File.Move(temp, Path.Combine(dir.Path, "svc.yaml"), overwrite: true);
        await dir.WaitForServiceAsync("web", s => s.Ports[0].Port == 9090);
    }

    [Fact]
    public async Task Only_differences_are_emitted()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("a.yaml", Yaml.Docs(
            Yaml.Service("one", "198.19.0.1"),
            Yaml.Service("two", "198.19.0.2"),
            Yaml.Slice("one-abcde", "one", "198.18.64.1")));
        await dir.StartAsync();
        var before = dir.Sink.Calls.Count;

        // Rewrite with one Service changed, the rest identical (different formatting), then touch another file
        // with identical content; a marker file tells us both have been read.
        dir.Write("a.yaml", Yaml.Docs(
            Yaml.Service("one", "198.19.0.1") + "\n# a comment changes nothing",
            Yaml.Service("two", "198.19.0.2", port: 8080),
            Yaml.Slice("one-abcde", "one", "198.18.64.1")));
        await dir.WaitForServiceAsync("two", s => s.Ports[0].Port == 8080);
        dir.Write("b.yaml", Yaml.Service("three", "198.19.0.3"));
        await dir.WaitForServiceAsync("three");
        dir.Write("b.yaml", Yaml.Service("three", "198.19.0.3"));
        dir.Write("marker.yaml", Yaml.Service("marker", "198.19.0.4"));
        await dir.WaitForServiceAsync("marker");

        Assert.Equal(["+Service default/two", "+Service default/three", "+Service default/marker"], dir.Sink.Calls.Skip(before).ToArray());
    }

    [Fact]
    public async Task Removing_an_object_from_a_file_deletes_only_it()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("a.yaml", Yaml.Docs(
            Yaml.Service("one", "198.19.0.1"),
            Yaml.Slice("one-abcde", "one", "198.18.64.1"),
            Yaml.Service("two", "198.19.0.2")));
        await dir.StartAsync();
        var before = dir.Sink.Calls.Count;

        dir.Write("a.yaml", Yaml.Service("two", "198.19.0.2"));
        await dir.WaitForNoServiceAsync("one");

        Assert.Equal(["-EndpointSlice default/one-abcde", "-Service default/one"], dir.Sink.Calls.Skip(before).ToArray());
    }

    [Fact]
    public async Task Only_this_node_is_passed_on()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("nodes.yaml", Yaml.Docs(Yaml.Node("node-2", "198.18.0.11"), Yaml.Node("node-1", "198.18.0.10")));
        await dir.StartAsync();

        Assert.Equal("node-1", dir.Sink.Node?.Name);
        Assert.Equal(IPAddress.Parse("198.18.0.10"), dir.Sink.Node!.Addresses[0]);
        Assert.DoesNotContain(dir.Sink.Calls, c => c.Contains("node-2", StringComparison.Ordinal));
        Assert.Contains(dir.Logger.Entries, e => e.EventId == 2123 && e.Message.Contains("node-2", StringComparison.Ordinal));

        dir.Write("nodes.yaml", Yaml.Node("node-2", "198.18.0.12"));
        await ManifestTestDirectory.WaitUntilAsync(() => dir.Sink.Node is null, "node-1 deletion");
        Assert.Equal("-Node node-1", dir.Sink.Calls[^1]);
    }

    [Fact]
    public async Task Node_change_is_upserted()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("node.yaml", Yaml.Node("node-1", "198.18.0.10"));
        await dir.StartAsync();
        dir.Write("node.yaml", Yaml.Node("node-1", "198.18.0.20"));
        await ManifestTestDirectory.WaitUntilAsync(() => dir.Sink.Node?.Addresses[0].Equals(IPAddress.Parse("198.18.0.20")) == true, "new node address");
        Assert.Equal(2, dir.Sink.Calls.Count(c => c == "+Node node-1"));
    }

    [Fact]
    public async Task Service_cidrs_are_sent_as_a_whole_when_they_change()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("cidr.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: ServiceCIDR
            metadata: {name: b}
            spec: {cidrs: [198.19.0.0/20]}
            """);
        await dir.StartAsync();
        Assert.Equal(["b"], dir.Sink.Cidrs!.Select(c => c.Name).ToArray());

        dir.Write("cidr2.yaml", """
            apiVersion: networking.k8s.io/v1beta1
            kind: ServiceCIDR
            metadata: {name: a}
            spec: {cidrs: ["fd00:198:19::/108"]}
            """);
        await ManifestTestDirectory.WaitUntilAsync(() => dir.Sink.Cidrs!.Count == 2, "second ServiceCIDR");
        Assert.Equal(["a", "b"], dir.Sink.Cidrs!.Select(c => c.Name).ToArray());
        Assert.Equal(IPNetwork.Parse("fd00:198:19::/108"), dir.Sink.Cidrs![0].Cidrs[0]);
    }

    [Fact]
    public async Task Objects_hidden_by_the_informer_label_selector_are_dropped()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("svc.yaml", Yaml.Docs(
            Yaml.Service("mine", "198.19.0.1"),
            Yaml.Service("theirs", "198.19.0.2", extraMetadata: "  labels:\n    service.kubernetes.io/service-proxy-name: other"),
            Yaml.Slice("theirs-abcde", "theirs", "198.18.64.1", extraLabels: "    service.kubernetes.io/service-proxy-name: other"),
            Yaml.Slice("headless-abcde", "headless", "198.18.64.1", extraLabels: "    service.kubernetes.io/headless: \"\"")));
        await dir.StartAsync();

        Assert.Equal([Default("mine")], dir.Sink.Services.Keys.ToArray());
        Assert.Empty(dir.Sink.Slices);
        Assert.Empty(dir.Logger.Warnings);
        Assert.Equal(3, dir.Logger.Entries.Count(e => e.EventId == 2121 && e.Level == LogLevel.Debug));
    }

    [Fact]
    public async Task Duplicate_objects_first_file_wins_with_one_warning()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("a.yaml", Yaml.Service("web", "198.19.0.10", port: 80));
        dir.Write("b.yaml", Yaml.Service("web", "198.19.0.10", port: 81));
        await dir.StartAsync();

        Assert.Equal(80, dir.Sink.Services[Default("web")].Ports[0].Port);
        var warning = Assert.Single(dir.Logger.Warnings);
        Assert.Equal(2112, warning.EventId);
        Assert.Contains("b.yaml", warning.Message, StringComparison.Ordinal);

        // Another change does not repeat the warning; removing the winner lets the other one in.
        dir.Write("c.yaml", Yaml.Service("other", "198.19.0.11"));
        await dir.WaitForServiceAsync("other");
        Assert.Single(dir.Logger.Warnings);
        File.Delete(Path.Combine(dir.Path, "a.yaml"));
        await dir.WaitForServiceAsync("web", s => s.Ports[0].Port == 81);
    }

    [Fact]
    public async Task Unknown_kinds_are_ignored_and_unsupported_versions_warned()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("mixed.yaml", Yaml.Docs(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}",
            "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: old}\naddressType: IPv4",
            Yaml.Service("web", "198.19.0.10")));
        await dir.StartAsync();

        Assert.Single(dir.Sink.Services);
        Assert.Contains(dir.Logger.Entries, e => e.EventId == 2120 && e.Level == LogLevel.Debug && e.Message.Contains("Deployment", StringComparison.Ordinal));
        var warning = Assert.Single(dir.Logger.Warnings);
        Assert.Equal(2113, warning.EventId);
        Assert.Contains("discovery.k8s.io/v1beta1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dotfiles_editor_leftovers_other_extensions_and_subdirectories_are_ignored()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write(".hidden.yaml", Yaml.Service("a", "198.19.0.1"));
        dir.Write("#autosave.yaml#", Yaml.Service("b", "198.19.0.2"));
        dir.Write("backup.yaml~", Yaml.Service("c", "198.19.0.3"));
        dir.Write("notes.txt", Yaml.Service("d", "198.19.0.4"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "sub"));
        dir.Write("sub/nested.yaml", Yaml.Service("e", "198.19.0.5"));
        dir.Write("UPPER.YAML", Yaml.Service("f", "198.19.0.6"));
        await dir.StartAsync();

        Assert.Equal([Default("f")], dir.Sink.Services.Keys.ToArray());
    }

    [Fact]
    public async Task Periodic_rescan_finds_changes_without_the_watcher()
    {
        var time = new FakeTimeProvider();
        await using var dir = new ManifestTestDirectory();
        await dir.StartAsync(dir.CreateSource(time: time, watch: false));

        dir.Write("svc.yaml", Yaml.Service("web", "198.19.0.10"));
        // Nothing happens until the poll interval passes on the (fake) clock.
        await ManifestTestDirectory.WaitUntilAsync(
            () =>
            {
                time.Advance(TimeSpan.FromMilliseconds(500));
                return dir.Sink.Services.ContainsKey(Default("web"));
            },
            "rescan");
    }

    [Fact]
    public async Task Service_without_cluster_IP_is_passed_on_with_a_warning()
    {
        await using var dir = new ManifestTestDirectory();
        dir.Write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n");
        await dir.StartAsync();

        Assert.True(dir.Sink.Services[Default("web")].ClusterIPs.IsEmpty);
        Assert.Equal(2118, Assert.Single(dir.Logger.Warnings).EventId);
    }

    [Fact]
    public async Task Missing_directory_fails_at_start()
    {
        var source = new KubeProxy.Sources.Manifests.ManifestSource(
            Path.Combine(Path.GetTempPath(), "kp-does-not-exist-" + Guid.NewGuid()), "node-1", new RecordingLogger(), TimeProvider.System);
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => source.RunAsync(new RecordingSink(), CancellationToken.None));
    }
}
