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
}
