using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Linux.Processes;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// The rendered scripts are accepted by the real kernel, full and partial, in a network namespace of our own.
/// (Packet behaviour is proven in KubeProxy.Lab.Tests; this checks the transactions themselves.)
/// </summary>
public class KernelApplyTests(ITestOutputHelper output)
{
    [RootFact]
    public void The_representative_cluster_applies_to_the_kernel_and_a_full_resync_over_it_too()
    {
        var ns = "kpn-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(ProcessRunner.Run("ip", ["netns", "add", ns]).Succeeded);
        try
        {
            var runner = NftProcessRunner.InNetworkNamespace(ns);
            var options = new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")], KeepLastScript = true };
            var snapshot = RepresentativeCluster.Build().Build();
            new NftablesDataPlane(options, runner, null, NullLogger.Instance, new FakeTimeProvider()).Sync(snapshot, true, CancellationToken.None);
            // A restarted proxy does a full sync over the existing table.
            new NftablesDataPlane(options, runner, null, NullLogger.Instance, new FakeTimeProvider()).Sync(snapshot, true, CancellationToken.None);

            var listing = runner.List(Rendering.NftFamily.V4, "kube-proxy");
            Assert.Contains(listing.Chains, c => c.EndsWith("default/sctp/sctp/p", StringComparison.Ordinal));
            Assert.Contains(listing.Chains, c => c.StartsWith("firewall-", StringComparison.Ordinal));
            Assert.Equal(2, listing.Sets.Keys.Count(k => k.StartsWith("affinity-", StringComparison.Ordinal)));
        }
        finally
        {
            ProcessRunner.Run("ip", ["netns", "del", ns]);
        }
    }

    [RootFact]
    public void Full_and_partial_syncs_apply_and_leave_the_expected_table()
    {
        var ns = "kpn-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(ProcessRunner.Run("ip", ["netns", "add", ns]).Succeeded);
        try
        {
            var runner = NftProcessRunner.InNetworkNamespace(ns);
            var time = new FakeTimeProvider();
            var plane = new NftablesDataPlane(
                new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")], KeepLastScript = true },
                runner, null, NullLogger.Instance, time);

            var sticky = ClusterBuilder.ClusterIP("default", "sticky", "198.19.0.15", 80) with { SessionAffinity = SessionAffinity.ClientIP, AffinityTimeoutSeconds = 60 };
            var lb = ClusterBuilder.ClusterIP("default", "lb", "198.19.0.12", 80) with
            {
                Type = ServiceType.LoadBalancer,
                Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30081) },
                LoadBalancerIngress = new[] { new LoadBalancerIngress(IPAddress.Parse("198.19.200.10")) },
                LoadBalancerSourceRanges = new[] { IPNetwork.Parse("198.19.128.0/24") },
                ExternalTrafficPolicy = TrafficPolicy.Local,
                HealthCheckNodePort = 32000,
            };
            var cluster = new ClusterBuilder().Node("198.18.0.10")
                .Service(ClusterBuilder.ClusterIP("default", "web", "198.19.0.10", 80))
                .Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.11", "198.18.64.12"))
                .Service(ClusterBuilder.ClusterIP("default", "dns", "198.19.0.53", 53, Protocol.UDP))
                .Slice(ClusterBuilder.EndpointsOn("default", "dns", 5353, "node-1", Protocol.UDP, "198.18.64.21"))
                .Service(ClusterBuilder.ClusterIP("default", "empty", "198.19.0.20", 80))
                .Service(sticky)
                .Slice(ClusterBuilder.Endpoints("default", "sticky", 8080, "198.18.64.11", "198.18.64.12"))
                .Service(lb)
                .Slice(ClusterBuilder.Endpoints("default", "lb", 8080, "198.18.64.11"));
            plane.Sync(cluster.Build(), fullSync: true, CancellationToken.None);
            output.WriteLine(plane.LastScript);

            // Partial: scale web down, delete dns, change affinity timeout.
            cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.12"))
                .DeleteService("default", "dns")
                .Service(sticky with { AffinityTimeoutSeconds = 30 });
            plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
            output.WriteLine(plane.LastScript);

            time.Advance(TimeSpan.FromSeconds(2));
            plane.Sync(cluster.Build(), fullSync: false, CancellationToken.None);
            output.WriteLine(plane.LastScript);

            // A second full sync over an existing table (as after a restart) must also apply.
            var restarted = new NftablesDataPlane(
                new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")], KeepLastScript = true },
                runner, null, NullLogger.Instance, time);
            restarted.Sync(cluster.Build(), fullSync: true, CancellationToken.None);

            var listing = runner.List(Rendering.NftFamily.V4, "kube-proxy");
            Assert.Contains(listing.Chains, c => c.StartsWith("service-", StringComparison.Ordinal) && c.EndsWith("default/web/tcp/p", StringComparison.Ordinal));
            Assert.DoesNotContain(listing.Chains, c => c.Contains("default/dns/", StringComparison.Ordinal));
            Assert.Contains(listing.Sets.Values, s => s.Name.StartsWith("affinity-", StringComparison.Ordinal) && s.TimeoutSeconds == 30);
            Assert.DoesNotContain(listing.Chains, c => c.Contains("198.18.64.11/8080", StringComparison.Ordinal) && c.Contains("/web/", StringComparison.Ordinal));
        }
        finally
        {
            ProcessRunner.Run("ip", ["netns", "del", ns]);
        }
    }
}
