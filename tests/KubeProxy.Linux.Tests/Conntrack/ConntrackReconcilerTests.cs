using KubeProxy.Core.Model;
using KubeProxy.Linux.Conntrack;
using KubeProxy.Linux.Netlink;
using KubeProxy.Linux.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Linux.Tests.Conntrack;

public class ConntrackReconcilerTests
{
    private const string ClusterIP = "198.19.0.10";
    private const string ExternalIP = "198.19.128.10";
    private const string LoadBalancerIP = "198.19.200.10";
    private const string NodeIP = "198.18.0.2";
    private const string Client = "198.19.128.99";
    private const string Serving = "198.18.64.4";
    private const string NotServing = "198.18.64.5";
    private const string Deleted = "198.18.64.6";
    private const int ServicePort = 8000;
    private const int OtherPort = 3000;
    private const int NodePort = 32000;

    private readonly FakeConntrack _table = new();
    private readonly ListLogger<ConntrackReconciler> _logger = new();
    private readonly FakeTimeProvider _time = new();

    private ConntrackReconciler NewReconciler() => new(_table, _logger, _time);

    private static ConntrackEntry Flow(byte protocol, string origDst, int origDport, string replySrc, ushort sport = 40000, string client = Client) => new()
    {
        Protocol = protocol,
        Original = new ConntrackTuple(NetAddress.Parse(client), NetAddress.Parse(origDst), sport, (ushort)origDport),
        Reply = new ConntrackTuple(NetAddress.Parse(replySrc), NetAddress.Parse(client), 5353, sport),
    };

    private static Core.Snapshot.ServicePortState[] ThreeProtocolService(params (string, bool)[] endpoints) =>
    [
        Snapshots.Port("svc", ClusterIP, ServicePort, Protocol.TCP, NodePort, [ExternalIP], [LoadBalancerIP], "tcp", endpoints),
        Snapshots.Port("svc", ClusterIP, ServicePort, Protocol.UDP, NodePort, [ExternalIP], [LoadBalancerIP], "udp", endpoints),
        Snapshots.Port("svc", ClusterIP, ServicePort, Protocol.SCTP, NodePort, [ExternalIP], [LoadBalancerIP], "sctp", endpoints),
    ];

    [Fact]
    public void Deletes_udp_and_sctp_flows_to_service_addresses_and_node_ports_whose_reply_source_does_not_serve()
    {
        var expectedRemaining = new List<ConntrackEntry>();
        foreach (var dnat in new[] { Serving, NotServing, Deleted })
        {
            foreach (var protocol in new[] { IPProtocolNumber.Tcp, IPProtocolNumber.Udp, IPProtocolNumber.Sctp })
            {
                var datagram = protocol != IPProtocolNumber.Tcp;
                foreach (var dst in new[] { ClusterIP, ExternalIP, LoadBalancerIP })
                {
                    foreach (var port in new[] { ServicePort, OtherPort })
                    {
                        var flow = Flow(protocol, dst, port, dnat);
                        _table.Add(flow);
                        if (!(datagram && port == ServicePort && dnat != Serving)) expectedRemaining.Add(flow);
                    }
                }
                var nodePortFlow = Flow(protocol, NodeIP, NodePort, dnat);
                _table.Add(nodePortFlow);
                if (!(datagram && dnat != Serving)) expectedRemaining.Add(nodePortFlow);
            }
        }
        // Never DNATed (sent before any rule existed): the reply comes from the service address itself.
        foreach (var dst in new[] { ClusterIP, ExternalIP, LoadBalancerIP })
        {
            foreach (var port in new[] { ServicePort, OtherPort })
            {
                var flow = Flow(IPProtocolNumber.Udp, dst, port, dst, sport: 41000);
                _table.Add(flow);
                if (port != ServicePort) expectedRemaining.Add(flow);
            }
        }
        var before = _table.Entries.Count;

        var result = NewReconciler().CleanStaleEntries(Snapshots.Of(ThreeProtocolService((Serving, true), (NotServing, false))));

        Assert.True(result.Succeeded);
        Assert.Equal(expectedRemaining.Select(e => e.ToString()).Order(), _table.Entries.Select(e => e.ToString()).Order());
        Assert.Equal(before - expectedRemaining.Count, result.Deleted);
        Assert.Equal(result.Deleted, result.Stale);
        Assert.Equal(3 * 7, _table.Entries.Count(e => e.Protocol == IPProtocolNumber.Tcp)); // every TCP flow stays
        Assert.Equal(IPFamily.IPv4, result.Family);
        // TCP is never dumped: only the UDP and SCTP entries were examined.
        Assert.Equal(_table.Entries.Count(e => e.Protocol != IPProtocolNumber.Tcp) + result.Deleted, result.Examined);
    }

    [Fact]
    public void Scale_to_zero_removes_every_flow_to_the_service_and_scaling_back_keeps_flows_to_the_new_endpoint()
    {
        var reconciler = NewReconciler();
        _table.Add(Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Serving, 40001), Flow(IPProtocolNumber.Udp, NodeIP, NodePort, Serving, 40002));

        reconciler.CleanStaleEntries(Snapshots.Of(Snapshots.Port("svc", ClusterIP, ServicePort, nodePort: NodePort, endpoints: [])));
        Assert.Empty(_table.Entries);

        // While at zero a client's packets went undNATed; scaling back must clear those, and keep the new endpoint's.
        var undnated = Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, ClusterIP, 40003);
        var live = Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Deleted, 40004);
        _table.Add(undnated, live);
        var result = reconciler.CleanStaleEntries(Snapshots.Of(Snapshots.Port("svc", ClusterIP, ServicePort, nodePort: NodePort, endpoints: [(Deleted, true)])));

        Assert.Equal(1, result.Deleted);
        Assert.Equal([live.Original], _table.Entries.Select(e => e.Original));
    }

    [Fact]
    public void A_deleted_service_loses_its_flows_once_and_its_addresses_are_then_forgotten()
    {
        var reconciler = NewReconciler();
        var toCluster = Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Serving, 40001);
        var toNodePort = Flow(IPProtocolNumber.Udp, NodeIP, NodePort, Serving, 40002);
        var tcp = Flow(IPProtocolNumber.Tcp, ClusterIP, ServicePort, Serving, 40003);
        var other = Snapshots.Port("other", "198.19.0.20", 53, endpoints: [("198.18.64.20", true)]);
        _table.Add(toCluster, toNodePort, tcp);

        var withService = Snapshots.Of(Snapshots.Port("svc", ClusterIP, ServicePort, nodePort: NodePort, endpoints: [(Serving, true)]), other);
        Assert.Equal(0, reconciler.CleanStaleEntries(withService).Deleted);
        Assert.Equal(3, _table.Entries.Count);

        var withoutService = Snapshots.Of(IPFamily.IPv4, [other], changed: ["svc"]);
        Assert.True(reconciler.IsCleanupRequired(withService, withoutService));
        var result = reconciler.CleanStaleEntries(withoutService);

        Assert.Equal(2, result.Deleted);
        Assert.Equal([tcp.Original], _table.Entries.Select(e => e.Original));

        // Once cleaned, the old address is just an address: a later flow to it is nobody's business.
        var later = Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Serving, 40009);
        _table.Add(later);
        Assert.False(reconciler.IsCleanupRequired(withoutService, withoutService));
        Assert.Equal(0, reconciler.CleanStaleEntries(withoutService).Deleted);
        Assert.Contains(_table.Entries, e => e.Original == later.Original);
    }

    [Fact]
    public void A_failed_run_is_reported_logged_and_retried_with_what_it_had_to_do()
    {
        var reconciler = NewReconciler();
        var withService = Snapshots.Of(Snapshots.Port("svc", ClusterIP, ServicePort, endpoints: [(Serving, true)]));
        reconciler.CleanStaleEntries(withService);
        _table.Add(Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Serving));
        var empty = Snapshots.Of(IPFamily.IPv4, [], changed: ["svc"]);

        _table.DeleteFailure = new NetlinkException("conntrack delete", Errno.EPERM);
        var failed = reconciler.CleanStaleEntries(empty);

        Assert.False(failed.Succeeded);
        Assert.IsType<NetlinkException>(failed.Error);
        Assert.Contains(_logger.At(LogLevel.Error), m => m.Contains("Failed to reconcile conntrack entries"));
        Assert.True(reconciler.IsCleanupRequired(empty, empty));

        _table.DeleteFailure = null;
        var retried = reconciler.CleanStaleEntries(empty);
        Assert.True(retried.Succeeded);
        Assert.Equal(1, retried.Deleted);
        Assert.False(reconciler.IsCleanupRequired(empty, empty));
    }

    [Fact]
    public void Each_port_of_a_service_keeps_its_own_endpoints()
    {
        _table.Add(
            Flow(IPProtocolNumber.Udp, ClusterIP, 53, "198.18.64.1", 40001),
            Flow(IPProtocolNumber.Udp, ClusterIP, 53, "198.18.64.2", 40002),
            Flow(IPProtocolNumber.Udp, ClusterIP, 5353, "198.18.64.2", 40003));

        var result = NewReconciler().CleanStaleEntries(Snapshots.Of(
            Snapshots.Port("dns", ClusterIP, 53, portName: "dns", endpoints: [("198.18.64.1", true)]),
            Snapshots.Port("dns", ClusterIP, 5353, portName: "mdns", endpoints: [("198.18.64.2", true)])));

        Assert.Equal(1, result.Deleted);
        Assert.DoesNotContain(_table.Entries, e => e.Original.DestinationPort == 53 && e.Reply.Source == NetAddress.Parse("198.18.64.2"));
    }

    [Fact]
    public void Deletes_go_out_in_bounded_batches_while_the_dump_runs()
    {
        for (var i = 0; i < 1000; i++) _table.Add(Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Deleted, (ushort)(10000 + i)));

        var result = NewReconciler().CleanStaleEntries(Snapshots.Of(Snapshots.Port("svc", ClusterIP, ServicePort, endpoints: [(Serving, true)])));

        Assert.Equal(1000, result.Deleted);
        Assert.Empty(_table.Entries);
        Assert.All(_table.DeleteCalls, call => Assert.InRange(call.Length, 1, ConntrackReconciler.DeleteBatchSize));
        Assert.Equal(4, _table.DeleteCalls.Count);
    }

    [Fact]
    public void An_ipv6_pipeline_touches_only_ipv6_entries()
    {
        var v4 = Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Deleted);
        var v6Stale = new ConntrackEntry
        {
            Protocol = IPProtocolNumber.Udp,
            Original = new ConntrackTuple(NetAddress.Parse("fd00:198:19::99"), NetAddress.Parse("fd00:198:19::10"), 40000, ServicePort),
            Reply = new ConntrackTuple(NetAddress.Parse("fd00:198:18::6"), NetAddress.Parse("fd00:198:19::99"), 5353, 40000),
        };
        var v6Live = v6Stale with { Reply = v6Stale.Reply with { Source = NetAddress.Parse("fd00:198:18::4") }, Original = v6Stale.Original with { SourcePort = 40001 } };
        _table.Add(v4, v6Stale, v6Live);

        var result = NewReconciler().CleanStaleEntries(Snapshots.Of(IPFamily.IPv6,
            [Snapshots.Port("svc", "fd00:198:19::10", ServicePort, endpoints: [("fd00:198:18::4", true)])]));

        Assert.Equal(IPFamily.IPv6, result.Family);
        Assert.Equal(1, result.Deleted);
        Assert.Equal([v4.Original, v6Live.Original], _table.Entries.Select(e => e.Original));
    }

    [Fact]
    public void Without_udp_or_sctp_service_ports_nothing_is_dumped()
    {
        _table.Add(Flow(IPProtocolNumber.Udp, ClusterIP, ServicePort, Deleted));
        var result = NewReconciler().CleanStaleEntries(Snapshots.Of(Snapshots.Port("web", ClusterIP, ServicePort, Protocol.TCP, endpoints: [(Serving, true)])));

        Assert.Equal(0, _table.DumpCalls);
        Assert.Equal(0, result.Examined);
        Assert.Single(_table.Entries);
    }

    [Fact]
    public void Duration_comes_from_the_time_provider()
    {
        var slowTable = new SlowConntrack(_time, TimeSpan.FromMilliseconds(250));
        var result = new ConntrackReconciler(slowTable, _logger, _time)
            .CleanStaleEntries(Snapshots.Of(Snapshots.Port("svc", ClusterIP, ServicePort, endpoints: [])));
        Assert.Equal(TimeSpan.FromMilliseconds(250), result.Duration);
    }

    [Fact]
    public void Cleanup_is_required_only_when_a_udp_or_sctp_service_changed()
    {
        var udp = Snapshots.Port("dns", ClusterIP, 53, endpoints: [(Serving, true)]);
        var sctp = Snapshots.Port("sig", "198.19.0.11", 3868, Protocol.SCTP, endpoints: [(Serving, true)]);
        var tcp = Snapshots.Port("web", "198.19.0.12", 80, Protocol.TCP, endpoints: [(Serving, true)]);

        Assert.True(ConntrackReconciler.CleanupRequired(null, Snapshots.Of(udp, tcp)));
        Assert.False(ConntrackReconciler.CleanupRequired(null, Snapshots.Of(tcp)));
        var previous = Snapshots.Of(udp, sctp, tcp);
        Assert.False(ConntrackReconciler.CleanupRequired(previous, Snapshots.Of(IPFamily.IPv4, [udp, sctp, tcp], changed: ["web"])));
        Assert.True(ConntrackReconciler.CleanupRequired(previous, Snapshots.Of(IPFamily.IPv4, [udp, sctp, tcp], changed: ["dns"])));
        Assert.True(ConntrackReconciler.CleanupRequired(previous, Snapshots.Of(IPFamily.IPv4, [udp, sctp, tcp], changed: ["sig"])));
        Assert.True(ConntrackReconciler.CleanupRequired(previous, Snapshots.Of(IPFamily.IPv4, [sctp, tcp], changed: ["dns"])));
        Assert.False(ConntrackReconciler.CleanupRequired(previous, Snapshots.Of(IPFamily.IPv4, [udp, sctp], changed: ["web"])));
    }

    /// <summary>A table whose dump takes virtual time.</summary>
    private sealed class SlowConntrack(FakeTimeProvider time, TimeSpan cost) : IConntrack
    {
        public long Dump(IPFamily family, byte protocol, ConntrackEntryVisitor visitor)
        {
            time.Advance(cost);
            return 0;
        }

        public int Delete(ReadOnlySpan<ConntrackEntry> entries) => 0;

        public int Create(ReadOnlySpan<ConntrackEntry> entries, uint timeoutSeconds) => 0;
    }
}
