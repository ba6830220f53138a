using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Linux.Processes;
using KubeProxy.Nftables.Execution;
using KubeProxy.Nftables.Rendering;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// A full sync reads our table's chains and sets through nf_tables dumps of one family instead of `nft list table`.
/// Against the real kernel, with both families' tables (and a table of the same name in another family) in one
/// namespace, the netlink listing must be exactly what nft lists, and must not see the other family's table.
/// </summary>
public class NetlinkTableListingTests
{
    [RootFact]
    public void The_netlink_listing_of_each_family_is_what_nft_lists()
    {
        var ns = "kpl-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(ProcessRunner.Run("ip", ["netns", "add", ns]).Succeeded);
        using var netlink = NftNetlinkApplier.InNetworkNamespace(ns);
        try
        {
            var v4 = new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")] };
            var v6 = new NftablesOptions { Family = IPFamily.IPv6, ClusterCidrs = [IPNetwork.Parse("fd00:10::/64")] };
            var runner = NftProcessRunner.InNetworkNamespace(ns);

            // Nothing there yet: both ways list empty.
            AssertEmpty(netlink.List(IPFamily.IPv4, v4.TableName));
            AssertEmpty(runner.List(NftFamily.Of(IPFamily.IPv4), v4.TableName));

            var cluster4 = new ClusterBuilder().Node("198.18.0.10");
            foreach (var (service, slice) in RepresentativeCluster.Objects())
            {
                cluster4.Service(service);
                if (slice is not null) cluster4.Slice(slice);
            }
            var sticky6 = ClusterBuilder.ClusterIP("default", "sticky", "fd00:20::11", 53, Protocol.UDP) with { SessionAffinity = SessionAffinity.ClientIP, AffinityTimeoutSeconds = 60 };
            var cluster6 = new ClusterBuilder(IPFamily.IPv6).Node("fd00:1::10", "fd00:10::/64")
                .Service(sticky6).Slice(ClusterBuilder.EndpointsOn("default", "sticky", 5353, "node-1", Protocol.UDP, "fd00:10::21", "fd00:10::22"));
            new NftablesDataPlane(v4, runner, null, NullLogger.Instance, new FakeTimeProvider(), () => [], netlink)
                .Sync(cluster4.Build(), fullSync: true, CancellationToken.None);
            new NftablesDataPlane(v6, runner, null, NullLogger.Instance, new FakeTimeProvider(), () => [], netlink)
                .Sync(cluster6.Build(), fullSync: true, CancellationToken.None);
            // Someone else's table of the same name in the inet family, and strays in ours that a full sync must see.
            Nft(ns, "add table inet kube-proxy; add chain inet kube-proxy not-ours; add set inet kube-proxy not-ours-either { type ipv4_addr ; }");
            Nft(ns, "add chain ip kube-proxy stray-chain; add set ip kube-proxy stray-set { type ipv4_addr ; flags timeout ; timeout 30s ; }");

            foreach (var family in new[] { IPFamily.IPv4, IPFamily.IPv6 })
            {
                var viaNetlink = netlink.List(family, v4.TableName);
                var viaNft = runner.List(NftFamily.Of(family), v4.TableName);
                Assert.Equal(viaNft.Chains.Order(StringComparer.Ordinal), viaNetlink.Chains.Order(StringComparer.Ordinal));
                // nft's listing does not carry the kernel's definition of a set (netlink keeps endpoint-targets').
                Assert.Equal(viaNft.Sets.Values.OrderBy(s => s.Name, StringComparer.Ordinal),
                    viaNetlink.Sets.Values.Select(s => s with { Definition = null }).OrderBy(s => s.Name, StringComparer.Ordinal));
                Assert.All(viaNetlink.Sets.Values, s => Assert.Equal(s.Name.StartsWith("endpoint-targets-", StringComparison.Ordinal), s.Definition is not null));
                Assert.DoesNotContain("not-ours", viaNetlink.Chains);
                Assert.DoesNotContain("not-ours-either", viaNetlink.Sets.Keys);
            }
            var ipv4 = netlink.List(IPFamily.IPv4, v4.TableName);
            Assert.Contains("stray-chain", ipv4.Chains);
            Assert.Equal(new SetInfo("stray-set", 30), ipv4.Sets["stray-set"]);
            Assert.Contains(ipv4.Sets.Values, s => s.Name.StartsWith("affinity-", StringComparison.Ordinal) && s.TimeoutSeconds > 0);
            var ipv6 = netlink.List(IPFamily.IPv6, v6.TableName);
            Assert.DoesNotContain("stray-chain", ipv6.Chains);
            Assert.Contains(ipv6.Sets.Values, s => s.Name.StartsWith("affinity-", StringComparison.Ordinal) && s.TimeoutSeconds == 60);
        }
        finally
        {
            ProcessRunner.Run("ip", ["netns", "del", ns]);
        }
    }

    private static void AssertEmpty(TableListing listing)
    {
        Assert.Empty(listing.Chains);
        Assert.Empty(listing.Sets);
    }

    private static void Nft(string ns, string commands)
    {
        var result = ProcessRunner.Run("ip", ["netns", "exec", ns, "nft", commands]);
        Assert.True(result.Succeeded, result.StandardError);
    }
}
