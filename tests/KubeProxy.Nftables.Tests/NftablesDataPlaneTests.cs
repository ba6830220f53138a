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
}
