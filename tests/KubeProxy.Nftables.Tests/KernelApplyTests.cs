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

    [RootFact]
    public void Services_spread_over_tables_and_a_restart_with_fewer_tables_folds_them_back()
    {
        var ns = "kpn-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(ProcessRunner.Run("ip", ["netns", "add", ns]).Succeeded);
        using var netlink = NftNetlinkApplier.InNetworkNamespace(ns);
        try
        {
            var runner = NftProcessRunner.InNetworkNamespace(ns);
            var snapshot = RepresentativeCluster.Build().Build();
            foreach (var count in new[] { 4, 2, 1, 3 })
            {
                // Each round is a restart with another table count: its first (full) sync must leave exactly that many
                // tables, every Service's chains and affinity sets in its own table, firewall chains in the main one.
                var options = new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")], ServiceTables = count };
                var time = new FakeTimeProvider();
                var plane = new NftablesDataPlane(options, runner, null, NullLogger.Instance, time, () => [], netlink);
                plane.Sync(snapshot, fullSync: true, CancellationToken.None);
                // Chains whose Service moved to another table were flushed where they were; the next sync after the
                // delay deletes them.
                time.Advance(TimeSpan.FromSeconds(2));
                plane.Sync(snapshot, fullSync: false, CancellationToken.None);

                var tables = new Rendering.ServiceTables("kube-proxy", count);
                var listings = netlink.ListTables(IPFamily.IPv4, tables.IsOurs);
                Assert.Equal(tables.All.Order(), listings.Keys.Order());
                var placed = 0;
                foreach (var service in snapshot.PortsByService.Keys)
                {
                    var marker = $"-{service.Namespace}/{service.Name}/";
                    foreach (var (table, listing) in listings)
                    {
                        foreach (var name in listing.Chains.Concat(listing.Sets.Keys).Where(n => n.Contains(marker, StringComparison.Ordinal)))
                        {
                            var expected = name.StartsWith("firewall-", StringComparison.Ordinal) ? tables.Main : tables.TableOf(service);
                            Assert.True(table == expected, $"{name} is in {table}, expected in {expected} ({count} tables)");
                            placed++;
                        }
                    }
                }
                output.WriteLine($"{count} tables: {placed} chains and sets of {snapshot.PortsByService.Count} Services checked");
                Assert.True(placed > snapshot.PortsByService.Count, "too few Service chains found to mean anything");
                foreach (var (table, listing) in listings.Where(l => l.Key != tables.Main))
                {
                    // The other tables hold the NAT dispatch only: filtering, rejecting and masquerading stay in the main one.
                    Assert.DoesNotContain(listing.Chains, c => c.StartsWith("filter-", StringComparison.Ordinal) || c is "masquerading" or "reject-chain" or "nat-postrouting");
                    Assert.Contains("nat-prerouting", listing.Chains);
                    Assert.Contains("nat-output", listing.Chains);
                    Assert.DoesNotContain(listing.Sets.Keys, k => k is "no-endpoint-services" or "firewall-ips" or "cluster-ips");
                }
                if (count > 1)
                {
                    // The dispatch of the other tables is there, with their Services' elements.
                    var services = listings.Keys.Where(t => t != tables.Main).Sum(t => ListMap(ns, t).Count(line => line.Contains("goto", StringComparison.Ordinal)));
                    Assert.True(services > 0, "no Service dispatched from the other tables");
                }
            }
        }
        finally
        {
            ProcessRunner.Run("ip", ["netns", "del", ns]);
        }
    }

    private static string[] ListMap(string ns, string table)
    {
        var result = ProcessRunner.Run("ip", ["netns", "exec", ns, "nft", "list", "map", "ip", table, "service-ips"]);
        Assert.True(result.Succeeded, result.StandardError);
        return result.StandardOutput.Split('\n');
    }
}
