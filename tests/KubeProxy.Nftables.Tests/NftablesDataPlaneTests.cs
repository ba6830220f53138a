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
        Assert.All(partial, line => Assert.Contains("ns/svc-42/", line));
        Assert.Equal(1, runner.ListCalls);
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
        Assert.Contains("flush table ip kube-proxy\n", runner.Applied[^1], StringComparison.Ordinal);

        // Back to trusting the record: the next partial sync neither lists nor rewrites the table.
        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.4"));
        var partial = plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.False(partial.FullSync);
        Assert.Equal(2, runner.ListCalls);
        Assert.DoesNotContain("flush table", runner.Applied[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoints_are_chosen_by_a_chain_of_numgen_rules_without_anonymous_maps()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("ns", "web", "198.19.0.1", 80));
        cluster.Slice(ClusterBuilder.Endpoints("ns", "web", 8080, "198.18.64.1", "198.18.64.2", "198.18.64.3"));
        var runner = new FakeNftRunner();
        Plane(runner).Sync(cluster.Build(), fullSync: true, CancellationToken.None);

        var serviceRules = runner.Applied[^1].Split('\n')
            .Where(l => l.StartsWith("add rule ip kube-proxy service-", StringComparison.Ordinal) && l.Contains(" goto endpoint-", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("/p ", StringComparison.Ordinal) + 3)..])
            .ToList();

        // 1/3, then 1/2 of the remaining 2/3, then the rest: each endpoint gets exactly a third.
        Assert.Equal(3, serviceRules.Count);
        Assert.StartsWith("numgen random mod 3 == 0 goto endpoint-", serviceRules[0], StringComparison.Ordinal);
        Assert.StartsWith("numgen random mod 2 == 0 goto endpoint-", serviceRules[1], StringComparison.Ordinal);
        Assert.StartsWith("goto endpoint-", serviceRules[2], StringComparison.Ordinal);
        Assert.DoesNotContain("vmap {", runner.Applied[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void With_several_tables_an_address_two_Services_claim_stays_with_the_first_by_name()
    {
        const int count = 4;
        var tables = new Rendering.ServiceTables("kube-proxy", count);
        // Two Services in different tables, "a-…" before "b-…" by name, both claiming 198.19.200.1:80 as an externalIP.
        var a = new ObjectName("ns", "a-web");
        var b = Enumerable.Range(0, 100).Select(i => new ObjectName("ns", $"b-web-{i}")).First(n => tables.TableOf(n) != tables.TableOf(a));
        var shared = System.Net.IPAddress.Parse("198.19.200.1");
        var runner = new FakeNftRunner();
        var plane = new NftablesDataPlane(
            new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [System.Net.IPNetwork.Parse("198.18.64.0/18")], ServiceTables = count },
            runner, null, NullLogger.Instance, new FakeTimeProvider());
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
        var plane2 = new NftablesDataPlane(
            new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [System.Net.IPNetwork.Parse("198.18.64.0/18")], ServiceTables = count },
            plane2Runner, null, NullLogger.Instance, new FakeTimeProvider());
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
    public void Stale_chains_are_deleted_at_most_5000_per_partial_sync()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        for (var i = 0; i < 3_000; i++)
        {
            cluster.Service(ClusterBuilder.ClusterIP("ns", $"svc-{i}", $"198.19.{i / 250}.{(i % 250) + 1}", 80));
            cluster.Slice(ClusterBuilder.Endpoints("ns", $"svc-{i}", 8080, $"198.18.{64 + (i / 250)}.{(i % 250) + 1}"));
        }
        var runner = new FakeNftRunner();
        var time = new FakeTimeProvider();
        var plane = Plane(runner, time);
        plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);

        // Every Service goes: 6,000 chains (service + endpoint) are flushed now, deleted once the delay has passed.
        for (var i = 0; i < 3_000; i++) cluster.DeleteService("ns", $"svc-{i}");
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.DoesNotContain("delete chain", runner.Applied[^1], StringComparison.Ordinal);

        static int Deletes(string script) => script.Split('\n').Count(l => l.StartsWith("delete chain ", StringComparison.Ordinal));
        time.Advance(TimeSpan.FromSeconds(2));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(5_000, Deletes(runner.Applied[^1]));
        plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
        Assert.Equal(1_000, Deletes(runner.Applied[^1]));
    }
}
