using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Linux.Processes;
using Xunit.Abstractions;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// Partial syncs sent as nf_tables netlink batches leave the kernel exactly as the same syncs sent as nft text do:
/// two network namespaces get the same sequence of snapshots, one through netlink, one through nft, and after every
/// step <c>nft list table</c> (the kernel's view, decoded by nft) must be identical in both. Packet behaviour of the
/// netlink path is covered by the lab tests, whose kube-proxy processes use it for every partial sync.
/// </summary>
public class NetlinkPartialSyncTests(ITestOutputHelper output)
{
    /// <summary>Every local-traffic detector with the single-table layout, and the Services spread over four tables
    /// (ServiceTables: one transaction then spans several tables).</summary>
    public static TheoryData<string, int> Layouts => new()
    {
        { "ClusterCIDR", 1 },
        { "InterfaceNamePrefix", 1 },
        { "BridgeInterface", 1 },
        { "None", 1 },
        { "ClusterCIDR", 4 },
    };

    [RootTheory]
    [MemberData(nameof(Layouts))]
    public void Netlink_partial_syncs_leave_the_same_table_as_nft_text_IPv4(string detector, int serviceTables)
    {
        var options = new NftablesOptions
        {
            Family = IPFamily.IPv4,
            ClusterCidrs = [IPNetwork.Parse("198.18.64.0/18")],
            LocalDetectMode = Enum.Parse<LocalDetectMode>(detector),
            InterfaceNamePrefix = "veth",
            BridgeInterface = "cbr0",
            KeepLastScript = true,
            ServiceTables = serviceTables,
        };
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        var steps = new List<(string Name, Action Change)>();
        foreach (var (service, slice) in RepresentativeCluster.Objects())
        {
            steps.Add(($"add {service.Name}", () =>
            {
                cluster.Service(service);
                if (slice is not null) cluster.Slice(slice);
            }
            ));
        }
        var services = RepresentativeCluster.Objects().ToDictionary(o => o.Service.Name.Name, o => o.Service);
        steps.Add(("web scales to three endpoints", () => cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.11", "198.18.64.31", "198.18.64.32"))));
        steps.Add(("web replaces one of its three endpoints (only endpoint-targets elements change)",
            () => cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.11", "198.18.64.33", "198.18.64.32"))));
        steps.Add(("web scales to two endpoints (its three keys are released)",
            () => cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.11", "198.18.64.33"))));
        steps.Add(("web-nodeport scales to three endpoints (the released range is reused)",
            () => cluster.Slice(ClusterBuilder.Endpoints("default", "web-nodeport", 8080, "198.18.64.11", "198.18.64.41", "198.18.64.42"))));
        steps.Add(("dns (UDP) scales to two endpoints, then SCTP to three (their own endpoint-targets maps)", () =>
        {
            cluster.Slice(RepresentativeCluster.Slice("default", "dns", "dns", 5353, Protocol.UDP, ("198.18.64.21", "node-1"), ("198.18.64.23", "node-2")));
            cluster.Slice(RepresentativeCluster.Slice("default", "sctp", "p", 9000, Protocol.SCTP, ("198.18.64.22", "node-1"), ("198.18.64.24", "node-1"), ("198.18.64.25", "node-2")));
        }
        ));
        steps.Add(("web scales to one endpoint", () => cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "198.18.64.32"))));
        steps.Add(("web-sticky affinity timeout changes", () => cluster.Service(services["web-sticky"] with { AffinityTimeoutSeconds = 30 })));
        steps.Add(("web-sticky gains an endpoint", () => cluster.Slice(ClusterBuilder.Endpoints("default", "web-sticky", 8080, "198.18.64.11", "198.18.64.12", "198.18.64.13"))));
        steps.Add(("web-local loses its endpoints", () => cluster.Slice(ClusterBuilder.Endpoints("default", "web-local", 8080))));
        steps.Add(("web-nodeport changes its NodePort", () => cluster.Service(services["web-nodeport"] with { Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30090) } })));
        steps.Add(("dns is deleted", () => cluster.DeleteService("default", "dns")));
        steps.Add(("web-sticky is deleted", () => cluster.DeleteService("default", "web-sticky")));

        RunBoth(options, cluster, steps, "ip");
    }

    [RootTheory]
    [InlineData(1)]
    [InlineData(3)]
    public void Netlink_partial_syncs_leave_the_same_table_as_nft_text_IPv6(int serviceTables)
    {
        var options = new NftablesOptions
        {
            Family = IPFamily.IPv6,
            ClusterCidrs = [IPNetwork.Parse("fd00:10::/64")],
            KeepLastScript = true,
            ServiceTables = serviceTables,
        };
        var cluster = new ClusterBuilder(IPFamily.IPv6).Node("fd00:1::10", "fd00:10::/64");
        var web = ClusterBuilder.ClusterIP("default", "web", "fd00:20::10", 80) with
        {
            Type = ServiceType.NodePort,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30080) },
            ExternalIPs = new[] { IPAddress.Parse("fd00:30::1") },
        };
        var sticky = ClusterBuilder.ClusterIP("default", "sticky", "fd00:20::11", 53, Protocol.UDP) with { SessionAffinity = SessionAffinity.ClientIP, AffinityTimeoutSeconds = 60 };
        var steps = new List<(string Name, Action Change)>
        {
            ("add web", () => cluster.Service(web).Slice(ClusterBuilder.Endpoints("default", "web", 8080, "fd00:10::11", "fd00:10::12"))),
            ("add sticky", () => cluster.Service(sticky).Slice(ClusterBuilder.EndpointsOn("default", "sticky", 5353, "node-1", Protocol.UDP, "fd00:10::21", "fd00:10::22"))),
            ("web replaces an endpoint", () => cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "fd00:10::11", "fd00:10::13"))),
            ("web scales to one", () => cluster.Slice(ClusterBuilder.Endpoints("default", "web", 8080, "fd00:10::12"))),
            ("sticky loses its endpoints", () => cluster.Slice(ClusterBuilder.EndpointsOn("default", "sticky", 5353, "node-1", Protocol.UDP))),
            ("web is deleted", () => cluster.DeleteService("default", "web")),
        };
        RunBoth(options, cluster, steps, "ip6");
    }

    private void RunBoth(NftablesOptions options, ClusterBuilder cluster, List<(string Name, Action Change)> steps, string family)
    {
        using var pair = new NetlinkVsTextPair(options);
        var (viaNetlink, viaText, time, a, b) = (pair.ViaNetlink, pair.ViaText, pair.Time, pair.Netlink, pair.Text);
        var first = cluster.Build();
        a.Sync(first, fullSync: true, CancellationToken.None);
        b.Sync(first, fullSync: true, CancellationToken.None);

        foreach (var (name, change) in steps)
        {
            change();
            var snapshot = cluster.Build();
            a.Sync(snapshot, fullSync: false, CancellationToken.None);
            b.Sync(snapshot, fullSync: false, CancellationToken.None);
            output.WriteLine($"{name}: {a.LastApplyPath}\n{a.LastScript}");
            Assert.Equal(NftApplyPath.NftPartial, b.LastApplyPath);
            // Only web-lb's firewall rule (an anonymous set of source ranges) is outside the netlink vocabulary.
            Assert.Equal(name.Contains("web-lb", StringComparison.Ordinal) ? NftApplyPath.NftPartial : NftApplyPath.Netlink, a.LastApplyPath);
            AssertSameTables(viaNetlink, viaText, family, options, name);
            AssertEndpointTargetsConsistent(viaNetlink, family, options, name);
            // Let chains that fell out of use become deletable; the next partial sync deletes them.
            time.Advance(TimeSpan.FromSeconds(2));
        }
        // One more sync with no change deletes the last stale chains, through netlink too.
        var last = cluster.Build();
        a.Sync(last, fullSync: false, CancellationToken.None);
        b.Sync(last, fullSync: false, CancellationToken.None);
        Assert.Equal(NftApplyPath.Netlink, a.LastApplyPath);
        AssertSameTables(viaNetlink, viaText, family, options, "stale chains deleted");
    }

    internal static void AssertSameTables(string a, string b, string family, NftablesOptions options, string step)
    {
        var tables = new Rendering.ServiceTables(options.TableName, options.ServiceTables);
        // Exactly the configured tables exist, in both namespaces.
        Assert.Equal(tables.All.Select(t => $"table {family} {t}").Order(), ListTables(a, family).Order());
        Assert.Equal(tables.All.Select(t => $"table {family} {t}").Order(), ListTables(b, family).Order());
        var left = string.Concat(tables.All.Select(t => List(a, family, t)));
        var right = string.Concat(tables.All.Select(t => List(b, family, t)));
        if (left != right)
        {
            var l = left.Split('\n');
            var r = right.Split('\n');
            var diff = l.Except(r).Select(x => "netlink only: " + x).Concat(r.Except(l).Select(x => "nft only:     " + x)).ToList();
            if (diff.Count == 0)
            {
                // The same lines in another order (or count): show where they part.
                var at = Enumerable.Range(0, Math.Min(l.Length, r.Length)).FirstOrDefault(i => l[i] != r[i], Math.Min(l.Length, r.Length));
                diff = [.. l.Skip(Math.Max(0, at - 3)).Take(6).Select(x => "netlink: " + x), .. r.Skip(Math.Max(0, at - 3)).Take(6).Select(x => "nft:     " + x)];
            }
            Assert.Fail($"after '{step}' the tables differ:\n{string.Join('\n', diff)}");
        }
        Assert.Contains("chain services", left, StringComparison.Ordinal);
    }

    /// <summary>
    /// What the slot bookkeeping must guarantee, read from the kernel: every <c>numgen … offset S map @M</c> rule finds
    /// its N keys in M, no two rules of a map share a key, and M holds no key that no rule uses (a leftover of an
    /// earlier range). Both namespaces run the same planner, so comparing them cannot show this.
    /// </summary>
    internal static void AssertEndpointTargetsConsistent(string ns, string family, NftablesOptions options, string step)
    {
        var tables = new Rendering.ServiceTables(options.TableName, options.ServiceTables);
        var rule = new System.Text.RegularExpressions.Regex(@"numgen random mod (\d+)(?: offset (\d+))? map @(endpoint-targets-\w+-\d+)");
        var element = new System.Text.RegularExpressions.Regex(@"(\d+) : [0-9a-f:.]+ \. \d+");
        foreach (var table in tables.All)
        {
            var text = List(ns, family, table);
            var used = new Dictionary<string, HashSet<uint>>();
            foreach (System.Text.RegularExpressions.Match m in rule.Matches(text))
            {
                var n = uint.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var start = m.Groups[2].Success ? uint.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
                if (!used.TryGetValue(m.Groups[3].Value, out var keys)) used[m.Groups[3].Value] = keys = [];
                for (var k = start; k < start + n; k++) Assert.True(keys.Add(k), $"after '{step}': key {k} of {m.Groups[3].Value} in {table} used by two rules");
            }
            foreach (var map in Rendering.ServiceRenderer.EndpointTargetsMaps().Select(m => m.Map))
            {
                var at = text.IndexOf($"map {map} {{", StringComparison.Ordinal);
                Assert.True(at >= 0, $"{map} missing in {table}");
                var block = text[at..text.IndexOf("\n\t}", at, StringComparison.Ordinal)];
                var present = element.Matches(block).Select(m => uint.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
                var expected = used.GetValueOrDefault(map) ?? [];
                Assert.True(present.SetEquals(expected),
                    $"after '{step}': {map} in {table} holds [{string.Join(",", present.Order())}], its rules use [{string.Join(",", expected.Order())}]");
            }
        }
    }

    private static string[] ListTables(string ns, string family)
    {
        var result = ProcessRunner.Run("ip", ["netns", "exec", ns, "nft", "list", "tables", family]);
        Assert.True(result.Succeeded, result.StandardError);
        return result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    private static string List(string ns, string family, string table)
    {
        var result = ProcessRunner.Run("ip", ["netns", "exec", ns, "nft", "list", "table", family, table]);
        Assert.True(result.Succeeded, result.StandardError);
        return result.StandardOutput;
    }
}
