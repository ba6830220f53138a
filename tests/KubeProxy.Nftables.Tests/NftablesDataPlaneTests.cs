using KubeProxy.Core.Model;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Nftables.Tests;

public class NftablesDataPlaneTests
{
    private static NftablesDataPlane Plane(FakeNftRunner runner, FakeTimeProvider? time = null) =>
        new(new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [System.Net.IPNetwork.Parse("198.18.64.0/18")] },
            runner, null, NullLogger.Instance, time ?? new FakeTimeProvider());

    [Fact]
    public void Partial_sync_after_one_endpoint_change_among_10000_services_is_a_few_lines()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        for (var i = 0; i < 10_000; i++)
        {
            var ip = $"198.19.{i / 250}.{(i % 250) + 1}";
            cluster.Service(ClusterBuilder.ClusterIP("ns", $"svc-{i}", ip, 80));
            cluster.Slice(ClusterBuilder.Endpoints("ns", $"svc-{i}", 8080, $"198.18.{64 + (i / 250 % 60)}.{(i % 250) + 1}"));
        }
        var runner = new FakeNftRunner();
        var plane = Plane(runner);
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        var full = runner.Applied[^1];
        Assert.True(full.Split('\n').Length > 30_000, "the full sync writes every service");

        // One endpoint added to one service.
        cluster.Slice(ClusterBuilder.Endpoints("ns", "svc-42", 8080, "198.18.64.43", "198.18.64.200"));
        var result = plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        var partial = runner.Applied[^1].Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1, result.ChangedServices);
        Assert.InRange(partial.Length, 3, 12);
        // The Service's own chains, and its endpoints' elements in the endpoint-targets map.
        Assert.All(partial, line => Assert.True(line.Contains("ns/svc-42/", StringComparison.Ordinal) || line.Contains(" endpoint-targets-tcp-", StringComparison.Ordinal), line));
        Assert.Equal(1, runner.ListCalls);

        // One endpoint replaced, the count the same: only map elements change, no rule (so the kernel has no table
        // to re-validate).
        cluster.Slice(ClusterBuilder.Endpoints("ns", "svc-42", 8080, "198.18.64.43", "198.18.64.201"));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        var replaced = runner.Applied[^1].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(replaced, l => l.Contains(" rule ", StringComparison.Ordinal) || l.Contains(" chain ", StringComparison.Ordinal));
        Assert.Single(replaced, l => l.StartsWith("delete element ip kube-proxy endpoint-targets-tcp-", StringComparison.Ordinal) && l.EndsWith(" }", StringComparison.Ordinal));
        Assert.Single(replaced, l => l.StartsWith("add element ip kube-proxy endpoint-targets-tcp-", StringComparison.Ordinal) && l.EndsWith(": 198.18.64.201 . 8080 }", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_apply_makes_the_next_sync_full_even_when_partial_is_asked()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "web", "198.19.0.1", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.2"));
        var runner = new FakeNftRunner();
        var plane = Plane(runner);
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);

        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.3"));
        runner.FailNext = "Error: Could not process rule: No such file or directory";
        Assert.Throws<KubeProxy.Core.Sync.SyncFailedException>(() => plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None));
        Assert.Equal(1, runner.ListCalls);

        var result = plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);

        Assert.True(result.FullSync);
        Assert.Equal(2, runner.ListCalls);
        // A full sync after a failure rewrites the fixed part too.
        Assert.Contains("flush chain ip kube-proxy nat-prerouting\n", runner.Applied[^1], StringComparison.Ordinal);
        Assert.Contains("flush map ip kube-proxy service-ips\n", runner.Applied[^1], StringComparison.Ordinal);

        // Back to trusting the record: the next partial sync neither lists nor rewrites the table.
        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.4"));
        var partial = plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.False(partial.FullSync);
        Assert.Equal(2, runner.ListCalls);
        Assert.DoesNotContain("flush table", runner.Applied[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoints_are_chosen_by_one_numgen_draw_into_the_endpoint_targets_map_without_endpoint_chains()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "one", "198.19.0.2", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "one", 8080, "198.18.64.9"));
        cluster.Service(ClusterBuilder.ClusterIP("ns", "web", "198.19.0.1", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.2", "198.18.64.3"));
        var runner = new FakeNftRunner();
        Plane(runner).Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        var lines = runner.Applied[^1].Split('\n');
        static List<string> RulesOf(string[] lines, string service) => lines
            .Where(l => l.StartsWith("add rule ip kube-proxy service-", StringComparison.Ordinal) && l.Contains($"-ns/{service}/tcp/p ", StringComparison.Ordinal)
                && l.Contains(" dnat to ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("/p ", StringComparison.Ordinal) + 3)..])
            .ToList();

        // One endpoint: a plain DNAT. Three: a uniform draw of one of three keys, each mapped to an endpoint.
        Assert.Equal(["meta l4proto tcp dnat to 198.18.64.9:8080"], RulesOf(lines, "one"));
        var rule = Assert.Single(RulesOf(lines, "web"));
        var match = System.Text.RegularExpressions.Regex.Match(rule, @"^meta l4proto tcp dnat to numgen random mod 3 offset (\d+) map @(endpoint-targets-tcp-[0-7])$");
        Assert.True(match.Success, rule);
        var start = uint.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var map = match.Groups[2].Value;
        for (var i = 0u; i < 3; i++)
        {
            Assert.Contains($"add element ip kube-proxy {map} {{ {start + i} : 198.18.64.{i + 1} . 8080 }}", lines);
        }
        Assert.DoesNotContain("vmap {", runner.Applied[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("add chain ip kube-proxy endpoint-", runner.Applied[^1], StringComparison.Ordinal);
        // Hairpin is masqueraded in postrouting by address pair.
        Assert.Contains("add element ip kube-proxy hairpin-endpoints { 198.18.64.2 . 198.18.64.2 }", lines);
    }

    [Fact]
    public void With_ClientIP_affinity_each_endpoint_keeps_a_chain_that_updates_its_set_and_DNATs()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "web", "198.19.0.1", 80) with { SessionAffinity = SessionAffinity.ClientIP, AffinityTimeoutSeconds = 600 });
        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.2"));
        var runner = new FakeNftRunner();
        Plane(runner).Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        var lines = runner.Applied[^1].Split('\n');

        var endpointChains = lines.Where(l => l.StartsWith("add chain ip kube-proxy endpoint-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, endpointChains.Count);
        var first = lines.Where(l => l.StartsWith("add rule ip kube-proxy endpoint-", StringComparison.Ordinal) && l.Contains("198.18.64.1/8080 ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("/8080 ", StringComparison.Ordinal) + 6)..])
            .ToList();
        Assert.Equal(2, first.Count);
        Assert.Matches(@"^update @affinity-\S+ \{ ip saddr \}$", first[0]);
        Assert.Equal("meta l4proto tcp dnat to 198.18.64.1:8080", first[1]);
        Assert.Contains(lines, l => l.StartsWith("add rule ip kube-proxy service-", StringComparison.Ordinal)
            && l.Contains("numgen random mod 2 == 0 goto endpoint-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_hairpin_element_two_Services_hold_stays_until_the_last_of_them_goes()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "a", "198.19.0.1", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "a", 8080, "198.18.64.1"));
        cluster.Service(ClusterBuilder.ClusterIP("ns", "b", "198.19.0.2", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "b", 9090, "198.18.64.1", "198.18.64.2"));
        var runner = new FakeNftRunner();
        var plane = Plane(runner);
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        const string Shared = "hairpin-endpoints { 198.18.64.1 . 198.18.64.1 }";
        static int Count(string script, string text) => script.Split('\n').Count(l => l.EndsWith(text, StringComparison.Ordinal));
        Assert.Equal(1, Count(runner.Applied[^1], "add element ip kube-proxy " + Shared));

        // b lets go of 198.18.64.1 (a still holds it), then of 198.18.64.2 (nobody else holds it).
        cluster.Slice(ClusterBuilder.Endpoints("ns", "b", 9090, "198.18.64.3"));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(0, Count(runner.Applied[^1], "delete element ip kube-proxy " + Shared));
        Assert.Equal(1, Count(runner.Applied[^1], "delete element ip kube-proxy hairpin-endpoints { 198.18.64.2 . 198.18.64.2 }"));
        Assert.Equal(1, Count(runner.Applied[^1], "add element ip kube-proxy hairpin-endpoints { 198.18.64.3 . 198.18.64.3 }"));

        // b takes 198.18.64.1 again: already there, nothing to add; then a goes: b still holds it.
        cluster.Slice(ClusterBuilder.Endpoints("ns", "b", 9090, "198.18.64.1"));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(0, Count(runner.Applied[^1], "add element ip kube-proxy " + Shared));
        cluster.DeleteService("ns", "a");
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(0, Count(runner.Applied[^1], "delete element ip kube-proxy " + Shared));

        // The last holder goes: so does the element.
        cluster.DeleteService("ns", "b");
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(1, Count(runner.Applied[^1], "delete element ip kube-proxy " + Shared));
    }

    /// <summary>Four Service tables, and two Services in different ones, "a-…" before "b-…" by name.</summary>
    private static (int Count, Rendering.ServiceTables Tables, ObjectName A, ObjectName B) TwoServicesInTwoTables()
    {
        const int count = 4;
        var tables = new Rendering.ServiceTables("kube-proxy", count);
        var a = new ObjectName("ns", "a-web");
        var b = Enumerable.Range(0, 100).Select(i => new ObjectName("ns", $"b-web-{i}")).First(n => tables.TableOf(n) != tables.TableOf(a));
        return (count, tables, a, b);
    }

    private static NftablesDataPlane PlaneWithTables(FakeNftRunner runner, int tables) => new(
        new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [System.Net.IPNetwork.Parse("198.18.64.0/18")], ServiceTables = tables },
        runner, null, NullLogger.Instance, new FakeTimeProvider());

    [Fact]
    public void With_several_tables_an_address_two_Services_claim_stays_with_the_first_by_name()
    {
        // Two Services in different tables, "a-…" before "b-…" by name, both claiming 198.19.200.1:80 as an externalIP.
        var (count, tables, a, b) = TwoServicesInTwoTables();
        var shared = System.Net.IPAddress.Parse("198.19.200.1");
        var runner = new FakeNftRunner();
        var plane = PlaneWithTables(runner, count);
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        void Add(ObjectName service, string clusterIP, string endpoint)
        {
            cluster.Service(ClusterBuilder.ClusterIP(service.Namespace, service.Name, clusterIP, 80) with { ExternalIPs = new[] { shared } });
            cluster.Slice(ClusterBuilder.Endpoints(service.Namespace, service.Name, 8080, endpoint));
        }
        static string[] Claims(string script) =>
            script.Split('\n').Where(l => l.StartsWith("add element", StringComparison.Ordinal) && l.Contains("service-ips { 198.19.200.1 . tcp . 80", StringComparison.Ordinal)).ToArray();

        // The second by name arrives later: it does not get the address, and no full sync is needed to decide that.
        Add(a, "198.19.0.1", "198.18.64.1");
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        Assert.Contains($"ip {tables.TableOf(a)} service-ips", Assert.Single(Claims(runner.Applied[^1])));
        Add(b, "198.19.0.2", "198.18.64.2");
        var result = plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.False(result.FullSync);
        Assert.Empty(Claims(runner.Applied[^1]));
        Assert.Contains("/b-web-", runner.Applied[^1], StringComparison.Ordinal);

        // The first by name arriving after the other holds it: a full sync hands the address over, in one transaction.
        var plane2Runner = new FakeNftRunner();
        var plane2 = PlaneWithTables(plane2Runner, count);
        cluster = new ClusterBuilder().Node("198.18.0.10");
        Add(b, "198.19.0.2", "198.18.64.2");
        plane2.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        Assert.Contains($"ip {tables.TableOf(b)} service-ips", Assert.Single(Claims(plane2Runner.Applied[^1])));
        Add(a, "198.19.0.1", "198.18.64.1");
        result = plane2.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.True(result.FullSync);
        var claim = Assert.Single(Claims(plane2Runner.Applied[^1]));
        Assert.Contains($"ip {tables.TableOf(a)} service-ips", claim);
        Assert.Contains("/a-web/", claim);

        // From then on the holder keeps it without further full syncs.
        cluster.Slice(ClusterBuilder.Endpoints(b.Namespace, b.Name, 8080, "198.18.64.3"));
        Assert.False(plane2.Sync(cluster.Build(), fullSync: false, CancellationToken.None).FullSync);
        Assert.Empty(Claims(plane2Runner.Applied[^1]));
    }

    [Fact]
    public void With_several_tables_two_Services_claiming_one_address_in_the_same_partial_sync_make_a_full_sync()
    {
        // Neither holds the address yet, so the committed owners cannot tell: both elements would land, each in its
        // own table's map, and the table whose chain runs first would win (the lab caught it).
        var (count, tables, a, b) = TwoServicesInTwoTables();
        var shared = System.Net.IPAddress.Parse("198.19.200.1");
        var runner = new FakeNftRunner();
        var plane = PlaneWithTables(runner, count);
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        foreach (var (service, clusterIP, endpoint) in new[] { (b, "198.19.0.2", "198.18.64.2"), (a, "198.19.0.1", "198.18.64.1") })
        {
            cluster.Service(ClusterBuilder.ClusterIP(service.Namespace, service.Name, clusterIP, 80) with { ExternalIPs = new[] { shared } });
            cluster.Slice(ClusterBuilder.Endpoints(service.Namespace, service.Name, 8080, endpoint));
        }

        var result = plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);

        Assert.True(result.FullSync);
        var claim = Assert.Single(runner.Applied[^1].Split('\n'),
            l => l.StartsWith("add element", StringComparison.Ordinal) && l.Contains("service-ips { 198.19.200.1 . tcp . 80", StringComparison.Ordinal));
        Assert.Contains($"ip {tables.TableOf(a)} service-ips", claim, StringComparison.Ordinal);
        Assert.Contains("/a-web/", claim, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void A_ClusterIP_another_Service_holds_as_its_external_address_is_not_masqueraded_for_it(int tables)
    {
        // "a-…" has 198.19.0.2:80 as an externalIP with Local policy (keep the client's address); "b-…" has it as its
        // ClusterIP. The address goes to the first by name, and b's masquerade element must not come with it.
        static string[] Masquerade(string script) =>
            script.Split('\n').Where(l => l.StartsWith("add element", StringComparison.Ordinal) && l.Contains("cluster-ip-masquerade { 198.19.0.2 . tcp . 80 }", StringComparison.Ordinal)).ToArray();
        var runner = new FakeNftRunner();
        var plane = PlaneWithTables(runner, tables);
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "b-web", "198.19.0.2", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "b-web", 8080, "198.18.64.2"));
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        Assert.Single(Masquerade(runner.Applied[^1]));

        cluster.Service(ClusterBuilder.ClusterIP("ns", "a-web", "198.19.0.1", 80) with
        {
            ExternalIPs = new[] { System.Net.IPAddress.Parse("198.19.0.2") },
            ExternalTrafficPolicy = TrafficPolicy.Local,
        });
        cluster.Slice(ClusterBuilder.Endpoints("ns", "a-web", 8080, "198.18.64.1"));
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        Assert.Empty(Masquerade(runner.Applied[^1]));
        Assert.Contains("service-ips { 198.19.0.2 . tcp . 80 : goto external-", runner.Applied[^1], StringComparison.Ordinal);

        // A partial sync that touches b: with several tables it drops b's claim and the masquerade element with it.
        // With one table it tries b's claim again, and the kernel refuses the whole batch (the key's value differs),
        // so the masquerade element can only arrive together with that refused claim; the full sync that follows
        // decides as above.
        cluster.Slice(ClusterBuilder.Endpoints("ns", "b-web", 8080, "198.18.64.3"));
        Assert.False(plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None).FullSync);
        if (tables > 1) Assert.Empty(Masquerade(runner.Applied[^1]));
        else if (Masquerade(runner.Applied[^1]).Length > 0) Assert.Contains("service-ips { 198.19.0.2 . tcp . 80 : goto service-", runner.Applied[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Stale_chains_are_deleted_at_most_5000_per_partial_sync()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        for (var i = 0; i < 6_000; i++)
        {
            cluster.Service(ClusterBuilder.ClusterIP("ns", $"svc-{i}", $"198.19.{i / 250}.{(i % 250) + 1}", 80));
            cluster.Slice(ClusterBuilder.Endpoints("ns", $"svc-{i}", 8080, $"198.18.{64 + (i / 250)}.{(i % 250) + 1}"));
        }
        var runner = new FakeNftRunner();
        var time = new FakeTimeProvider();
        var plane = Plane(runner, time);
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);

        // Every Service goes: 6,000 service chains are flushed now, deleted once the delay has passed.
        for (var i = 0; i < 6_000; i++) cluster.DeleteService("ns", $"svc-{i}");
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.DoesNotContain("delete chain", runner.Applied[^1], StringComparison.Ordinal);

        static int Deletes(string script) => script.Split('\n').Count(l => l.StartsWith("delete chain ", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(2));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(5_000, Deletes(runner.Applied[^1]));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(1_000, Deletes(runner.Applied[^1]));
    }

    [Fact]
    public void A_chain_that_grows_gets_a_new_key_range_and_its_old_one_is_reused_only_after_the_commit()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "a", "198.19.0.1", 80)).Slice(ClusterBuilder.Endpoints("ns", "a", 8080, "198.18.64.1", "198.18.64.2"));
        cluster.Service(ClusterBuilder.ClusterIP("ns", "b", "198.19.0.2", 80)).Slice(ClusterBuilder.Endpoints("ns", "b", 8080, "198.18.64.3", "198.18.64.4"));
        var runner = new FakeNftRunner();
        var plane = Plane(runner);
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
        static (uint Start, uint Count) Range(string script, string service)
        {
            var m = System.Text.RegularExpressions.Regex.Match(script, $@"ns/{service}/tcp/p meta l4proto tcp dnat to numgen random mod (\d+) offset (\d+) map");
            Assert.True(m.Success, script);
            return (uint.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), uint.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        var a = Range(runner.Applied[^1], "a");
        var b = Range(runner.Applied[^1], "b");

        // a grows to three: its two keys cannot stretch into b's, so it moves; its old elements go.
        cluster.Slice(ClusterBuilder.Endpoints("ns", "a", 8080, "198.18.64.1", "198.18.64.2", "198.18.64.5"));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        var grown = Range(runner.Applied[^1], "a");
        Assert.Equal(3u, grown.Count);
        Assert.True(grown.Start >= b.Start + b.Count || grown.Start + grown.Count <= b.Start, $"a {grown} overlaps b {b}");
        Assert.Matches($@"delete element ip kube-proxy endpoint-targets-tcp-[0-7] {{ {a.Start} }}", runner.Applied[^1]);

        // c needs two keys: it gets a's released range, now that the transaction that released it is committed.
        cluster.Service(ClusterBuilder.ClusterIP("ns", "c", "198.19.0.3", 80)).Slice(ClusterBuilder.Endpoints("ns", "c", 8080, "198.18.64.6", "198.18.64.7"));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(a, Range(runner.Applied[^1], "c"));
    }
}
