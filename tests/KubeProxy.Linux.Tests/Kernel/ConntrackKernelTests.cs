using KubeProxy.Core.Model;
using KubeProxy.Linux.Conntrack;
using KubeProxy.Linux.Netlink;
using KubeProxy.Linux.Tests.Support;

namespace KubeProxy.Linux.Tests.Kernel;

/// <summary>
/// ctnetlink against the real kernel, inside a throw-away network namespace: entries are created with
/// IPCTNL_MSG_CT_NEW (no traffic needed), checked with our dump and with the conntrack tool.
/// </summary>
public class ConntrackKernelTests
{
    private const string Client = "198.19.128.99";
    private const string ClusterIP = "198.19.0.10";
    private const string NodeIP = "198.18.0.2";
    private const string Live = "198.18.64.4";
    private const string Removed = "198.18.64.6";
    private const int ServicePort = 53;
    private const int NodePort = 30053;

    private static ConntrackEntry Flow(byte protocol, string origDst, int origDport, string replySrc, ushort sport, string client = Client) => new()
    {
        Protocol = protocol,
        Original = new ConntrackTuple(NetAddress.Parse(client), NetAddress.Parse(origDst), sport, (ushort)origDport),
        Reply = new ConntrackTuple(NetAddress.Parse(replySrc), NetAddress.Parse(client), 5353, sport),
    };

    private static List<ConntrackEntry> DumpAll(ConntrackClient client, IPFamily family, byte protocol = 0)
    {
        var entries = new List<ConntrackEntry>();
        client.Dump(family, protocol, (in ConntrackEntry e) => entries.Add(e));
        return entries;
    }

    private static HashSet<int> SourcePortsListed(TestNamespace ns, string protocol) =>
        ns.ConntrackList("-p", protocol)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(f => f.StartsWith("sport=", StringComparison.Ordinal)))
            .Select(f => int.Parse(f["sport=".Length..]))
            .ToHashSet();

    [RootFact]
    public void Created_entries_are_dumped_deleted_and_agree_with_the_conntrack_tool()
    {
        using var ns = TestNamespace.Create("rt");
        using var client = ConntrackClient.Open(ns.SocketOptions);
        var entries = Enumerable.Range(0, 50).Select(i => Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Live, (ushort)(20000 + i))).ToArray();

        Assert.Equal(50, client.Create(entries, 300));

        var dumped = DumpAll(client, IPFamily.IPv4);
        Assert.Equal(entries.Select(e => $"{e.Original} {e.Reply}").Order(), dumped.Select(e => $"{e.Original} {e.Reply}").Order());
        Assert.All(dumped, e => Assert.NotEqual(0u, e.Id));
        Assert.All(dumped, e => Assert.InRange(e.TimeoutSeconds, 200u, 300u));
        Assert.Equal(Enumerable.Range(20000, 50).ToHashSet(), SourcePortsListed(ns, "udp"));

        Assert.Equal(10, client.Delete(dumped.Take(10).ToArray()));
        // Deleting again is not an error: the entries are gone, which is what was asked.
        Assert.Equal(0, client.Delete(dumped.Take(10).ToArray()));
        Assert.Equal(40, ns.ConntrackList("-p", "udp").Count);

        // Creating an existing entry is refused with EEXIST, named.
        var e = Assert.Throws<NetlinkException>(() => client.Create(dumped.Skip(10).Take(1).ToArray(), 300));
        Assert.Equal("EEXIST", e.ErrnoName);
    }

    [RootFact]
    public void Entries_made_by_the_conntrack_tool_parse_and_the_kernel_filters_the_dump_by_protocol()
    {
        using var ns = TestNamespace.Create("cli");
        ns.Exec("conntrack", "-I", "-p", "udp", "-s", Client, "-d", ClusterIP, "--sport", "41000", "--dport", "53",
            "--reply-src", Live, "--reply-dst", Client, "--reply-port-src", "5353", "--reply-port-dst", "41000", "-t", "120", "--mark", "7");
        ns.Exec("conntrack", "-I", "-p", "tcp", "-s", Client, "-d", ClusterIP, "--sport", "41001", "--dport", "80",
            "--reply-src", Live, "--reply-dst", Client, "--reply-port-src", "8080", "--reply-port-dst", "41001", "-t", "120", "--state", "ESTABLISHED");
        using var client = ConntrackClient.Open(ns.SocketOptions);

        var udp = Assert.Single(DumpAll(client, IPFamily.IPv4, IPProtocolNumber.Udp));
        Assert.Equal(Flow(IPProtocolNumber.Udp, ClusterIP, 53, Live, 41000).Original, udp.Original);
        Assert.Equal(Flow(IPProtocolNumber.Udp, ClusterIP, 53, Live, 41000).Reply, udp.Reply);
        Assert.Equal(7u, udp.Mark);
        // The TCP entry exists but the kernel (CTA_FILTER, 5.10+) left it out of the UDP dump.
        Assert.Equal(IPProtocolNumber.Tcp, Assert.Single(DumpAll(client, IPFamily.IPv4, IPProtocolNumber.Tcp)).Protocol);
        Assert.Equal(2, DumpAll(client, IPFamily.IPv4).Count);
        Assert.Empty(DumpAll(client, IPFamily.IPv6));
    }

    [RootFact]
    public void Ipv6_and_sctp_entries_round_trip()
    {
        using var ns = TestNamespace.Create("v6");
        using var client = ConntrackClient.Open(ns.SocketOptions);
        var v6 = Flow(IPProtocolNumber.Udp, "fd00:198:19::10", 53, "fd00:198:18::4", 42000, client: "fd00:198:19:128::99");
        // SCTP sockets are refused on this machine, but conntrack entries need no socket.
        var sctp = Flow(IPProtocolNumber.Sctp, ClusterIP, 3868, Live, 42001);

        client.Create([v6, sctp], 300);

        var v6Dumped = Assert.Single(DumpAll(client, IPFamily.IPv6));
        Assert.Equal((v6.Original, v6.Reply), (v6Dumped.Original, v6Dumped.Reply));
        var sctpDumped = Assert.Single(DumpAll(client, IPFamily.IPv4, IPProtocolNumber.Sctp));
        Assert.Equal((sctp.Original, sctp.Reply), (sctpDumped.Original, sctpDumped.Reply));
        Assert.Equal(2, client.Delete([v6Dumped, sctpDumped]));
        Assert.Empty(DumpAll(client, IPFamily.IPv4));
        Assert.Empty(DumpAll(client, IPFamily.IPv6));
    }

    [RootFact]
    public void Reconciler_removes_flows_to_removed_endpoints_keeps_live_and_tcp_flows_and_handles_scale_to_zero_and_back()
    {
        using var ns = TestNamespace.Create("rec");
        using var client = ConntrackClient.Open(ns.SocketOptions);
        var reconciler = new ConntrackReconciler(client, new ListLogger<ConntrackReconciler>());
        client.Create(
        [
            Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Live, 1001),     // live endpoint: stays
            Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Removed, 1002),  // removed endpoint: goes
            Flow(IPProtocolNumber.Udp, NodeIP, NodePort, Live, 1003),           // NodePort, live: stays
            Flow(IPProtocolNumber.Udp, NodeIP, NodePort, Removed, 1004),        // NodePort, removed: goes
            Flow(IPProtocolNumber.Udp, ClusterIP, 9999, Removed, 1005),         // not a service port: stays
            Flow(IPProtocolNumber.Tcp, ClusterIP, ServicePort, Removed, 1006),  // TCP: always stays
            Flow(IPProtocolNumber.Tcp, NodeIP, NodePort, Removed, 1007),        // TCP: always stays
        ], 600);

        var oneEndpoint = Snapshots.Of(
            Snapshots.Port("dns", ClusterIP, ServicePort, Protocol.UDP, NodePort, portName: "udp", endpoints: [(Live, true)]),
            Snapshots.Port("dns", ClusterIP, ServicePort, Protocol.TCP, NodePort, portName: "tcp", endpoints: [(Live, true)]));
        var result = reconciler.CleanStaleEntries(oneEndpoint);

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(2, result.Deleted);
        Assert.Equal([1001, 1003, 1005], SourcePortsListed(ns, "udp").Order());
        Assert.Equal([1006, 1007], SourcePortsListed(ns, "tcp").Order());

        // Scale to zero: every UDP flow to the service goes, TCP stays.
        var zero = Snapshots.Of(
            Snapshots.Port("dns", ClusterIP, ServicePort, Protocol.UDP, NodePort, portName: "udp", endpoints: []),
            Snapshots.Port("dns", ClusterIP, ServicePort, Protocol.TCP, NodePort, portName: "tcp", endpoints: []));
        Assert.Equal(2, reconciler.CleanStaleEntries(zero).Deleted);
        Assert.Equal([1005], SourcePortsListed(ns, "udp").Order());
        Assert.Equal([1006, 1007], SourcePortsListed(ns, "tcp").Order());

        // While at zero, a client's packets were not DNATed; back to one endpoint, those go and the new endpoint's stay.
        client.Create(
        [
            Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, ClusterIP, 1008),
            Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Removed, 1009),
        ], 600);
        var back = Snapshots.Of(
            Snapshots.Port("dns", ClusterIP, ServicePort, Protocol.UDP, NodePort, portName: "udp", endpoints: [(Removed, true)]),
            Snapshots.Port("dns", ClusterIP, ServicePort, Protocol.TCP, NodePort, portName: "tcp", endpoints: [(Removed, true)]));
        Assert.Equal(1, reconciler.CleanStaleEntries(back).Deleted);
        Assert.Equal([1005, 1009], SourcePortsListed(ns, "udp").Order());
        Assert.Equal([1006, 1007], SourcePortsListed(ns, "tcp").Order());
    }

    [RootFact]
    public void Reconciler_clears_flows_of_a_deleted_service_and_of_a_non_serving_endpoint()
    {
        using var ns = TestNamespace.Create("del");
        using var client = ConntrackClient.Open(ns.SocketOptions);
        var reconciler = new ConntrackReconciler(client, new ListLogger<ConntrackReconciler>());
        const string OtherIP = "198.19.0.20";
        client.Create(
        [
            Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Live, 2001),
            Flow(IPProtocolNumber.Udp, OtherIP, 123, "198.18.64.20", 2002),
            Flow(IPProtocolNumber.Udp, OtherIP, 123, "198.18.64.21", 2003),
        ], 600);
        var dns = Snapshots.Port("dns", ClusterIP, ServicePort, endpoints: [(Live, true)]);
        var ntp = Snapshots.Port("ntp", OtherIP, 123, endpoints: [("198.18.64.20", true), ("198.18.64.21", false)]);

        Assert.Equal(1, reconciler.CleanStaleEntries(Snapshots.Of(dns, ntp)).Deleted);
        Assert.Equal([2001, 2002], SourcePortsListed(ns, "udp").Order());

        Assert.Equal(1, reconciler.CleanStaleEntries(Snapshots.Of(IPFamily.IPv4, [ntp], changed: ["dns"])).Deleted);
        Assert.Equal([2002], SourcePortsListed(ns, "udp").Order());
    }

    [RootFact]
    public void Deleting_while_the_dump_runs_neither_skips_nor_repeats_entries()
    {
        using var ns = TestNamespace.Create("bulk");
        using var client = ConntrackClient.Open(ns.SocketOptions);
        var reconciler = new ConntrackReconciler(client, new ListLogger<ConntrackReconciler>());
        // 6000 flows over many dump datagrams, every third one stale: deletes are sent while the dump is still going.
        var flows = Enumerable.Range(0, 6000)
            .Select(i => Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, i % 3 == 0 ? Removed : Live, (ushort)(10000 + i), client: $"198.19.128.{1 + i % 200}"))
            .ToArray();
        client.Create(flows, 600);

        var result = reconciler.CleanStaleEntries(Snapshots.Of(Snapshots.Port("dns", ClusterIP, ServicePort, endpoints: [(Live, true)])));

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(6000, result.Examined);
        Assert.Equal(2000, result.Deleted);
        var left = DumpAll(client, IPFamily.IPv4);
        Assert.Equal(4000, left.Count);
        Assert.All(left, e => Assert.Equal(NetAddress.Parse(Live), e.Reply.Source));
    }
}
