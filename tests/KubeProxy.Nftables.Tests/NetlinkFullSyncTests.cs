using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Linux.Processes;
using Xunit.Abstractions;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// Full syncs whose Services go as one nf_tables netlink batch leave the kernel exactly as the same full syncs sent
/// as one nft script: two namespaces, the same snapshots, <c>nft list table</c> compared after every full sync. Also:
/// the fixed part goes through nft only when it must (first sync, a table missing, its rules changed by someone
/// else), and a rule outside the batch vocabulary sends the whole full sync as text.
/// </summary>
public class NetlinkFullSyncTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(1)]
    [InlineData(4)]
    public void Netlink_full_syncs_leave_the_same_tables_as_nft_text_IPv4(int serviceTables)
    {
        var options = new NftablesOptions
        {
            Family = IPFamily.IPv4,
            ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")],
            KeepLastScript = true,
            ServiceTables = serviceTables,
        };
        // web-lb's firewall rule (an anonymous set of source ranges) is outside the batch vocabulary: left out here,
        // added at the end to check the fallback.
        var objects = RepresentativeCluster.Objects().ToList();
        var webLb = objects.Single(o => o.Service.Name.Name == "web-lb");
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        foreach (var (service, slice) in objects.Where(o => o != webLb))
        {
            cluster.Service(service);
            if (slice is not null) cluster.Slice(slice);
        }
        // One source range is a plain match, inside the batch vocabulary.
        cluster.Service(ClusterBuilder.ClusterIP("default", "lb-one-range", "198.19.0.60", 80) with
        {
            Type = ServiceType.LoadBalancer,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30099) },
            LoadBalancerIngress = new[] { new LoadBalancerIngress(IPAddress.Parse("198.19.200.60")) },
            LoadBalancerSourceRanges = new[] { IPNetwork.Parse("198.19.128.0/24") },
        });
        cluster.Slice(ClusterBuilder.Endpoints("default", "lb-one-range", 8080, "198.18.64.60"));
        // UDP with several endpoints: its own endpoint-targets-udp-K maps (nft refused a UDP rule on a map typed
        // `tcp dport`, in the text path only).
        cluster.Service(ClusterBuilder.ClusterIP("default", "dns-pair", "198.19.0.61", 53, Protocol.UDP));
        cluster.Slice(ClusterBuilder.EndpointsOn("default", "dns-pair", 5353, "node-1", Protocol.UDP, "198.18.64.61", "198.18.64.62"));
        var services = objects.ToDictionary(o => o.Service.Name.Name, o => o.Service);
        var steps = new List<(string Name, Action Change)>
        {
            ("no change", () => { }),
            ("web scales to three endpoints, web-sticky's timeout changes", () =>
            {
                cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.11", "198.18.64.31", "198.18.64.32"));
                cluster.Service(services["web-sticky"] with { AffinityTimeoutSeconds = 30 });
            }),
            ("dns and web-sticky are deleted (their chains go stale, then are deleted)", () =>
            {
                cluster.DeleteService("default", "dns");
                cluster.DeleteService("default", "web-sticky");
            }),
        };
        RunBoth(options, cluster, steps, "ip", tamperTable: serviceTables > 1 ? "kube-proxy-2" : null, () =>
        {
            cluster.Service(webLb.Service);
            cluster.Slice(webLb.Slice!);
        });
    }

    [RootFact]
    public void Netlink_full_syncs_leave_the_same_tables_as_nft_text_IPv6()
    {
        var options = new NftablesOptions
        {
            Family = IPFamily.IPv6,
            ClusterCidrs = [IPNetwork.Parse("fd00:10::/64")],
            KeepLastScript = true,
            ServiceTables = 3,
        };
        var cluster = new ClusterBuilder(IPFamily.IPv6).Node("fd00:1::10", "fd00:10::/64");
        var web = ClusterBuilder.ClusterIP("default", "web", "fd00:20::10", 80) with
        {
            Type = ServiceType.NodePort,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30080) },
            ExternalIPs = new[] { IPAddress.Parse("fd00:30::1") },
        };
        var sticky = ClusterBuilder.ClusterIP("default", "sticky", "fd00:20::11", 53, Protocol.UDP) with { SessionAffinity = SessionAffinity.ClientIP, AffinityTimeoutSeconds = 60 };
        cluster.Service(web).Slice(ClusterBuilder.Endpoints("default", "web", 8080, "fd00:10::11", "fd00:10::12"));
        cluster.Service(sticky).Slice(ClusterBuilder.EndpointsOn("default", "sticky", 5353, "node-1", Protocol.UDP, "fd00:10::21", "fd00:10::22"));
        var steps = new List<(string Name, Action Change)>
        {
            ("web scales to one, sticky loses an endpoint", () =>
            {
                cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "fd00:10::12"));
                cluster.Slice(ClusterBuilder.EndpointsOn("default", "sticky", 5353, "node-1", Protocol.UDP, "fd00:10::22"));
            }),
            ("web is deleted", () => cluster.DeleteService("default", "web")),
        };
        RunBoth(options, cluster, steps, "ip6", tamperTable: "kube-proxy-1", addUnsupported: null);
    }

    [RootFact]
    public void A_full_sync_deletes_the_endpoint_targets_map_of_the_earlier_one_map_per_protocol_layout()
    {
        // An earlier version had one endpoint-targets map per protocol and table, looked up by the Service chains: after
        // an upgrade the first full sync flushes those chains and must take the map with it, over netlink and as text.
        var options = new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")], ServiceTables = 2 };
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        cluster.Service(ClusterBuilder.ClusterIP("default", "web", "198.19.0.10", 80))
            .Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.11", "198.18.64.12"));
        using var pair = new NetlinkVsTextPair(options);
        // In both tables: the main one and a Service table.
        static string Earlier(string table) => $$"""
            add table ip {{table}}
            add map ip {{table}} endpoint-targets-tcp { typeof numgen random mod 1 : ip daddr . tcp dport ; }
            add chain ip {{table}} service-OLD-default/gone/tcp/p
            add rule ip {{table}} service-OLD-default/gone/tcp/p meta l4proto tcp dnat to numgen random mod 2 offset 0 map @endpoint-targets-tcp
            add element ip {{table}} endpoint-targets-tcp { 0 : 198.18.64.99 . 8080, 1 : 198.18.64.98 . 8080 }
            """;
        foreach (var ns in new[] { pair.ViaNetlink, pair.ViaText })
        {
            var loaded = ProcessRunner.RunWithInput("ip", ["netns", "exec", ns, "nft", "-f", "-"], w => w.Write(Earlier("kube-proxy") + "\n" + Earlier("kube-proxy-1")));
            Assert.True(loaded.Succeeded, loaded.StandardError);
        }

        var snapshot = cluster.Build();
        pair.Netlink.Sync(snapshot, fullSync: true, CancellationToken.None);
        pair.Text.Sync(snapshot, fullSync: true, CancellationToken.None);
        // A second full sync over what the first left: that one goes as a netlink batch on one side.
        pair.Netlink.Sync(snapshot, fullSync: true, CancellationToken.None);
        pair.Text.Sync(snapshot, fullSync: true, CancellationToken.None);
        Assert.Equal(NftApplyPath.NetlinkFull, pair.Netlink.LastApplyPath);

        foreach (var ns in new[] { pair.ViaNetlink, pair.ViaText })
        {
            var sets = ProcessRunner.Run("ip", ["netns", "exec", ns, "nft", "list", "ruleset", "ip"]);
            Assert.True(sets.Succeeded, sets.StandardError);
            Assert.DoesNotContain("map endpoint-targets-tcp {", sets.StandardOutput, StringComparison.Ordinal);
            // Eight parts in each of the two tables.
            Assert.Equal(2, sets.StandardOutput.Split("map endpoint-targets-tcp-0 {").Length - 1);
        }
        NetlinkPartialSyncTests.AssertSameTables(pair.ViaNetlink, pair.ViaText, "ip", options, "after the upgrade");
        NetlinkPartialSyncTests.AssertEndpointTargetsConsistent(pair.ViaNetlink, "ip", options, "after the upgrade");
    }

    private void RunBoth(NftablesOptions options, ClusterBuilder cluster, List<(string Name, Action Change)> steps, string family,
        string? tamperTable, Action? addUnsupported)
    {
        using var pair = new NetlinkVsTextPair(options);
        var (viaNetlink, viaText, time, a, b) = (pair.ViaNetlink, pair.ViaText, pair.Time, pair.Netlink, pair.Text);
        void FullSyncBoth(string step)
        {
            var snapshot = cluster.Build();
            a.Sync(snapshot, fullSync: true, CancellationToken.None);
            b.Sync(snapshot, fullSync: true, CancellationToken.None);
            output.WriteLine($"{step}: {a.LastApplyPath}");
            Assert.Equal(NftApplyPath.NftFull, b.LastApplyPath);
            NetlinkPartialSyncTests.AssertSameTables(viaNetlink, viaText, family, options, step);
            NetlinkPartialSyncTests.AssertEndpointTargetsConsistent(viaNetlink, family, options, step);
        }

        FullSyncBoth("first full sync");
        Assert.Equal(NftApplyPath.NetlinkFull, a.LastApplyPath);
        // The first full sync of a process sends the fixed part (through nft) before the Services' batch.
        Assert.Contains("add chain ip", a.LastScript.Replace("ip6", "ip", StringComparison.Ordinal), StringComparison.Ordinal);

        foreach (var (name, change) in steps)
        {
            change();
            FullSyncBoth(name);
            Assert.Equal(NftApplyPath.NetlinkFull, a.LastApplyPath);
            // Unchanged and all there: only the batch went.
            Assert.StartsWith("# and a netlink batch", a.LastScript, StringComparison.Ordinal);
            time.Advance(TimeSpan.FromSeconds(2));
        }
        FullSyncBoth("stale chains deleted");

        if (tamperTable is not null)
        {
            // Someone deletes one of our tables: the next full sync finds it missing and sends the fixed part again.
            Assert.True(ProcessRunner.Run("ip", ["netns", "exec", viaNetlink, "nft", "delete", "table", family, tamperTable]).Succeeded);
            FullSyncBoth($"{tamperTable} deleted by someone else");
            Assert.Equal(NftApplyPath.NetlinkFull, a.LastApplyPath);
            Assert.DoesNotContain("# and a netlink batch", a.LastScript.Split('\n')[0], StringComparison.Ordinal);
        }

        // Someone flushes a fixed chain (chains and sets all still there): the rules' fingerprint differs from the
        // one taken after we wrote them, so the fixed part goes again; the next full sync skips it again.
        Assert.True(ProcessRunner.Run("ip", ["netns", "exec", viaNetlink, "nft", "flush", "chain", family, "kube-proxy", "masquerading"]).Succeeded);
        FullSyncBoth("masquerading flushed by someone else");
        Assert.DoesNotContain("# and a netlink batch", a.LastScript.Split('\n')[0], StringComparison.Ordinal);
        FullSyncBoth("no change after the repair");
        Assert.StartsWith("# and a netlink batch", a.LastScript, StringComparison.Ordinal);

        if (addUnsupported is not null)
        {
            addUnsupported();
            FullSyncBoth("a rule outside the batch vocabulary");
            Assert.Equal(NftApplyPath.NftFull, a.LastApplyPath);
        }
    }
}
