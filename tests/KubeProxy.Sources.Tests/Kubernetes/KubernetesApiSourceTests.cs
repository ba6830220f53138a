using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Resources;
using KubeProxy.Core.Model;
using Xunit.Abstractions;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>The API source against the fake server without faults: initial sync, watch delivery, selectors.</summary>
public sealed class KubernetesApiSourceTests(ITestOutputHelper output)
{
    internal static void SeedCluster(FakeApiServer server, int services = 120)
    {
        for (var i = 0; i < services; i++)
        {
            server.Upsert(ApiObjects.Service("ns" + (i % 3), $"svc-{i:D4}", i));
            server.Upsert(ApiObjects.Slice("ns" + (i % 3), $"svc-{i:D4}-abc", $"svc-{i:D4}", ApiObjects.PodIP(i)));
        }
        server.Upsert(ApiObjects.Node(SourceHarness.NodeName, "198.18.0.2"));
        server.Upsert(ApiObjects.Node("node-b", "198.18.0.3"));
        server.Upsert(ApiObjects.ServiceCidr("kubernetes", "198.19.0.0/20"));
    }

    [Fact]
    public async Task Initial_sync_delivers_everything_then_reports_synced_once()
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            SeedCluster(s);
            // Excluded by the informer label selector, as upstream's informers exclude them.
            s.Upsert(ApiObjects.Service("ns0", "other-proxy", 500, labels: new Dictionary<string, string> { [ProxyLabels.ServiceProxyName] = "custom" }));
            var headless = ApiObjects.Slice("ns0", "headless-abc", "headless", "198.18.64.9");
            headless.Metadata.Labels[ProxyLabels.Headless] = "";
            s.Upsert(headless);
            // Skipped by the converter (no service-name label): absent, quietly.
            var orphan = ApiObjects.Slice("ns0", "orphan", "x", "198.18.64.10");
            orphan.Metadata.Labels.Clear();
            s.Upsert(orphan);
        });

        await h.WaitSyncedAsync();
        await h.WaitConvergedAsync();

        Assert.Equal(120, h.Sink.Services.Count);
        Assert.Equal(120, h.Sink.EndpointSlices.Count);
        Assert.DoesNotContain(new ObjectName("ns0", "other-proxy"), h.Sink.Services.Keys);
        Assert.DoesNotContain(new ObjectName("ns0", "headless-abc"), h.Sink.EndpointSlices.Keys);
        Assert.Equal(SourceHarness.NodeName, h.Sink.Node?.Name);
        Assert.Equal("kubernetes", Assert.Single(h.Sink.ServiceCidrs!).Name);

        // Synced comes once, after all 120 services of the first list (three pages of 50).
        var calls = h.Sink.Calls;
        var synced = calls.ToList().FindIndex(c => c.Kind == "ServicesSynced");
        Assert.Equal(120, calls.Take(synced).Count(c => c.Kind == "ServiceUpsert"));
        Assert.Equal(1, h.Sink.ServicesSynced);
        Assert.Equal(1, h.Sink.EndpointSlicesSynced);
        Assert.DoesNotContain(h.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        var serviceLists = h.Server.Requests.Where(r => r.Resource == "services" && r.Verb == ApiVerb.List).ToList();
        Assert.Equal(3, serviceLists.Count);
        Assert.All(serviceLists, r => Assert.Equal("!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless", r.LabelSelector));
        Assert.All(serviceLists, r => Assert.Equal(50, r.Limit));
        Assert.Equal("0", serviceLists[0].ResourceVersion);
        Assert.Null(serviceLists[1].ResourceVersion);
        Assert.NotNull(serviceLists[1].Continue);
        var nodeRequests = h.Server.Requests.Where(r => r.Resource == "nodes").ToList();
        Assert.All(nodeRequests, r => Assert.Equal("metadata.name=" + SourceHarness.NodeName, r.FieldSelector));
        var watches = h.Server.Requests.Where(r => r.Verb == ApiVerb.Watch).ToList();
        Assert.All(watches, r => Assert.True(r.AllowWatchBookmarks));
    }

    [Fact]
    public async Task Watch_delivers_adds_updates_and_deletes_without_relisting()
    {
        await using var h = await SourceHarness.StartAsync(output, s => SeedCluster(s, 10));
        await h.WaitConvergedAsync();
        var lists = h.Server.Requests.Count(r => r.Verb == ApiVerb.List);
        var mark = h.Sink.Mark();

        h.Server.Upsert(ApiObjects.Service("ns0", "new", 900));
        h.Server.Upsert(ApiObjects.Service("ns1", "svc-0001", 901, port: 81));
        h.Server.Delete(ResourceKind.Services, "ns2", "svc-0002");
        h.Server.Upsert(ApiObjects.Slice("ns0", "new-abc", "new", "198.18.64.200"));
        h.Server.Delete(ResourceKind.EndpointSlices, "ns2", "svc-0002-abc");
        h.Server.Upsert(ApiObjects.Node(SourceHarness.NodeName, "198.18.0.20"));
        h.Server.Upsert(ApiObjects.Node("node-b", "198.18.0.30"));
        h.Server.Upsert(ApiObjects.ServiceCidr("extra", "198.19.16.0/20"));
        await h.WaitConvergedAsync();

        var calls = h.Sink.CallsSince(mark).Select(c => c.ToString()).ToHashSet();
        Assert.Equal(
            new HashSet<string>
            {
                "ServiceUpsert ns0/new", "ServiceUpsert ns1/svc-0001", "ServiceDelete ns2/svc-0002",
                "EndpointSliceUpsert ns0/new-abc", "EndpointSliceDelete ns2/svc-0002-abc",
                "NodeUpsert node-a", "ServiceCidrsChanged extra,kubernetes",
            },
            calls);
        Assert.Equal(lists, h.Server.Requests.Count(r => r.Verb == ApiVerb.List));
        Assert.Equal("198.18.0.20", h.Sink.Node!.Addresses[0].ToString());
    }

    [Fact]
    public async Task An_object_that_gains_the_service_proxy_name_label_is_deleted()
    {
        await using var h = await SourceHarness.StartAsync(output, s => SeedCluster(s, 3));
        await h.WaitConvergedAsync();

        h.Server.Upsert(ApiObjects.Service("ns0", "svc-0000", 0, labels: new Dictionary<string, string> { [ProxyLabels.ServiceProxyName] = "other" }));
        await h.WaitConvergedAsync();
        Assert.DoesNotContain(new ObjectName("ns0", "svc-0000"), h.Sink.Services.Keys);

        h.Server.Upsert(ApiObjects.Service("ns0", "svc-0000", 0));
        await h.WaitConvergedAsync();
        Assert.Contains(new ObjectName("ns0", "svc-0000"), h.Sink.Services.Keys);
    }

    [Fact]
    public async Task This_nodes_deletion_and_recreation_are_delivered()
    {
        await using var h = await SourceHarness.StartAsync(output, s => SeedCluster(s, 1));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        h.Server.Delete(ResourceKind.Nodes, null, SourceHarness.NodeName);
        await h.WaitConvergedAsync();
        Assert.Null(h.Sink.Node);
        h.Server.Upsert(ApiObjects.Node(SourceHarness.NodeName, "198.18.0.4"));
        await h.WaitConvergedAsync();

        Assert.Equal(["NodeDelete node-a", "NodeUpsert node-a"], h.Sink.CallsSince(mark).Select(c => c.ToString()));
    }

    [Fact]
    public async Task An_invalid_object_is_logged_once_and_treated_as_absent()
    {
        await using var h = await SourceHarness.StartAsync(output, s => SeedCluster(s, 3));
        await h.WaitConvergedAsync();

        var bad = ApiObjects.Service("ns0", "svc-0000", 0);
        bad.Metadata.Annotations = new Dictionary<string, string> { [TestConversions.InvalidAnnotation] = "spec.ports[0].port: must be 1-65535" };
        h.Server.Upsert(bad);
        await h.WaitConvergedAsync();
        Assert.DoesNotContain(new ObjectName("ns0", "svc-0000"), h.Sink.Services.Keys);

        // A relist sees the same invalid object again: it stays absent and is not logged twice.
        h.Server.Faults.Add(KubeProxy.ApiServer.Faults.Fault.Gone().For("services").On(ApiVerb.Watch));
        h.Server.DropWatches(ResourceKind.Services);
        await SourceHarness.EventuallyAsync(() => h.Server.CountRequests(ResourceKind.Services, ApiVerb.List) >= 2, "a relist of services");
        await h.WaitConvergedAsync();

        var warnings = h.Logs.Lines.Where(l => l.Message.Contains("ns0/svc-0000", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("must be 1-65535", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_that_throws_stops_the_source_with_the_error_instead_of_retrying_forever()
    {
        await using var server = await FakeApiServer.StartAsync();
        SeedCluster(server, 3);
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = server.BaseUri.ToString() });
        var source = new KubeProxy.Sources.Kubernetes.KubernetesApiSource(KubeProxy.Sources.Kubernetes.Reflection.ResourceApis.For(client),
            TestConversions.Instance, SourceHarness.FastOptions, new CapturingLoggerFactory(output));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => source.RunAsync(new ThrowingSink(), timeout.Token));

        Assert.False(timeout.IsCancellationRequested, "the source should stop by itself");
        Assert.Contains("sink bug", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class ThrowingSink : KubeProxy.Core.Sources.IProxyEventSink
    {
        public void OnServiceUpsert(Service service) => throw new InvalidOperationException("sink bug");

        public void OnServiceDelete(ObjectName name)
        {
        }

        public void OnEndpointSliceUpsert(EndpointSlice slice)
        {
        }

        public void OnEndpointSliceDelete(ObjectName name)
        {
        }

        public void OnNodeUpsert(Node node)
        {
        }

        public void OnNodeDelete(string name)
        {
        }

        public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs)
        {
        }

        public void OnServicesSynced()
        {
        }

        public void OnEndpointSlicesSynced()
        {
        }
    }

    [Fact]
    public async Task The_public_source_converts_with_the_shared_KubeObjectConverter()
    {
        await using var server = await FakeApiServer.StartAsync();
        SeedCluster(server, 4);
        var broken = ApiObjects.Service("ns0", "broken", 77, port: 70000);
        server.Upsert(broken);
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = server.BaseUri.ToString() });
        var logs = new CapturingLoggerFactory(output);
        var source = new KubeProxy.Sources.Kubernetes.KubernetesApiSource(client, SourceHarness.FastOptions, logs);
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(sink, stop.Token);

        await SourceHarness.EventuallyAsync(() => sink.Services.Count == 4 && sink.EndpointSlices.Count == 4 && sink.Node is not null
            && sink.ServiceCidrs is not null, "the converted cluster");
        await stop.CancelAsync();
        await run;

        var web = sink.Services[new ObjectName("ns1", "svc-0001")];
        Assert.Equal(ApiObjects.ClusterIP(1), Assert.Single(web.ClusterIPs).ToString());
        Assert.Equal(80, Assert.Single(web.Ports).Port);
        Assert.Equal("api", web.Origin);
        Assert.Equal(new ObjectName("ns1", "svc-0001"), sink.EndpointSlices[new ObjectName("ns1", "svc-0001-abc")].Service);
        Assert.Equal("zone-a", sink.Node!.Zone);
        Assert.Equal("198.19.0.0/20", Assert.Single(Assert.Single(sink.ServiceCidrs!).Cidrs).ToString());
        Assert.DoesNotContain(new ObjectName("ns0", "broken"), sink.Services.Keys);
        Assert.Contains(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("ns0/broken", StringComparison.Ordinal));
    }
}
