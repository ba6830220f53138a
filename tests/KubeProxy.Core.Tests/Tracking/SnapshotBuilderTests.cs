using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Tracking;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Tracking;

/// <summary>
/// Building snapshots from pending changes: the ideas of upstream servicechangetracker_test.go and
/// endpointschangetracker_test.go (no-op and reverted updates yield nothing, the changed set is exact, endpoints
/// moving between slices are not lost) plus structural sharing between snapshots.
/// </summary>
public sealed class SnapshotBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ClusterState _state = new([IPFamily.IPv4, IPFamily.IPv6]);
    private readonly SnapshotBuilder _v4 = new(IPFamily.IPv4, NodeName);
    private readonly SnapshotBuilder _v6 = new(IPFamily.IPv6, NodeName);

    private static Service Web(string name = "svc1", int nodePort = 0, TrafficPolicy etp = TrafficPolicy.Cluster) => Service(
        name,
        clusterIPs: ["198.19.0.10", "fd00:198:19::10"],
        type: nodePort == 0 ? ServiceType.ClusterIP : ServiceType.NodePort,
        ports: [new ServicePort("p80", Protocol.TCP, 80, nodePort)],
        etp: etp);

    private static ServicePortState Port(ProxySnapshot s, string svc = "svc1") => s.ServicePorts[PortName(svc)];

    [Fact]
    public void FirstBuildHoldsServicePortsWithTheirEndpointSets()
    {
        _state.UpsertService(Web(nodePort: 30080, etp: TrafficPolicy.Local));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.2", node: "node-b"), Endpoint("198.18.64.1", node: NodeName)]));

        var s = _v4.Build(_state);

        Assert.Equal(1, s.Generation);
        Assert.Equal(IPFamily.IPv4, s.Family);
        Assert.Equal([Svc()], s.PortsByService.Keys);
        Assert.Equal([PortName()], s.PortsByService[Svc()].AsEnumerable());
        var port = Port(s);
        Assert.Equal(IP("198.19.0.10"), port.Info.ClusterIP);
        Assert.Equal(["198.18.64.1:8080", "198.18.64.2:8080"], port.AllEndpoints.Select(e => e.Key));
        Assert.Equal(["198.18.64.1:8080", "198.18.64.2:8080"], port.ClusterEndpoints.Select(e => e.Key));
        Assert.Equal(["198.18.64.1:8080"], port.LocalEndpoints.Select(e => e.Key));
        Assert.True(port.HasAnyEndpoints);
        Assert.Equal(1, port.LocalReadyCount);
        Assert.Equal([Svc()], s.ChangedServices);
        Assert.Equal([Svc()], s.ChangedEndpoints);
        Assert.Single(s.PortsOf(Svc()));
        Assert.Empty(s.PortsOf(Svc("absent")));
    }

    [Fact]
    public void EachFamilySeesItsOwnAddressesAndSlices()
    {
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s4", [Endpoint("198.18.64.1")]));
        _state.UpsertEndpointSlice(Slice("s6", [Endpoint("fd00:198:18:40::1")], family: IPFamily.IPv6));

        var v4 = _v4.Build(_state);
        var v6 = _v6.Build(_state);

        Assert.Equal(["198.18.64.1:8080"], Port(v4).AllEndpoints.Select(e => e.Key));
        Assert.Equal(["[fd00:198:18:40::1]:8080"], Port(v6).AllEndpoints.Select(e => e.Key));
        Assert.Equal(IP("fd00:198:19::10"), Port(v6).Info.ClusterIP);

        // A later IPv4-only slice change is invisible to the IPv6 pipeline.
        _state.UpsertEndpointSlice(Slice("s4", [Endpoint("198.18.64.2")]));
        Assert.Equal([Svc()], _v4.Build(_state).ChangedServices);
        var v6Again = _v6.Build(_state);
        Assert.Empty(v6Again.ChangedServices);
        Assert.Same(Port(v6), Port(v6Again));
    }

    [Fact]
    public void SingleStackServiceIsAbsentFromTheOtherFamily()
    {
        _state.UpsertService(Service(clusterIPs: ["198.19.0.10"]));
        Assert.Single(_v4.Build(_state).ServicePorts);
        var v6 = _v6.Build(_state);
        Assert.Empty(v6.ServicePorts);
        Assert.Empty(v6.ChangedServices);
    }

    [Fact]
    public void BuildWithoutChangesChangesNothing()
    {
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var first = _v4.Build(_state);

        var second = _v4.Build(_state);

        Assert.Equal(2, second.Generation);
        Assert.Empty(second.ChangedServices);
        Assert.Empty(second.ChangedEndpoints);
        Assert.False(second.NodeChanged);
        Assert.Same(Port(first), Port(second));
    }

    [Fact]
    public void NoOpUpdatesYieldNoChange()
    {
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var first = _v4.Build(_state);

        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var second = _v4.Build(_state);

        Assert.Empty(second.ChangedServices);
        Assert.Same(Port(first), Port(second));
    }

    [Fact]
    public void UpdateAndRevertBeforeABuildYieldNoChange()
    {
        _state.UpsertService(Web(nodePort: 30080));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var first = _v4.Build(_state);

        _state.UpsertService(Web(nodePort: 30081));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1", ready: false)]));
        _state.DeleteEndpointSlice(Name("ns1", "s1"));
        _state.UpsertService(Web(nodePort: 30080));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var second = _v4.Build(_state);

        Assert.Empty(second.ChangedServices);
        Assert.Empty(second.ChangedEndpoints);
        Assert.Same(Port(first), Port(second));
    }

    [Fact]
    public void DeleteAndRecreateOfAServiceBeforeABuildYieldsNoChange()
    {
        _state.UpsertService(Web());
        var first = _v4.Build(_state);

        _state.DeleteService(Svc());
        _state.UpsertService(Web());

        Assert.Empty(_v4.Build(_state).ChangedServices);
        Assert.Same(Port(first), Port(_v4.Current));
    }

    [Fact]
    public void ChangedSetIsExactlyTheTouchedServices()
    {
        foreach (var n in new[] { "a", "b", "c", "d" })
        {
            _state.UpsertService(Web(n));
            _state.UpsertEndpointSlice(Slice($"{n}-1", [Endpoint("198.18.64.1")], service: n));
        }
        var first = _v4.Build(_state);

        _state.UpsertService(Web("a", nodePort: 30080));
        _state.UpsertEndpointSlice(Slice("c-1", [Endpoint("198.18.64.9")], service: "c"));
        _state.DeleteService(Svc("d"));
        _state.UpsertService(Web("e"));
        var second = _v4.Build(_state);

        Assert.Equal([Svc("a"), Svc("c"), Svc("d"), Svc("e")], second.ChangedServices.Order());
        Assert.Same(Port(first, "b"), Port(second, "b"));
        Assert.False(second.ServicePorts.ContainsKey(PortName("d")));
        Assert.False(second.PortsByService.ContainsKey(Svc("d")));
        Assert.Equal(4, second.ServiceCount);
    }

    [Fact]
    public void SpecChangeIsNotAnEndpointChange()
    {
        _state.UpsertService(Web(nodePort: 30080));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        _v4.Build(_state);

        _state.UpsertService(Web(nodePort: 30081));
        var afterSpec = _v4.Build(_state);
        Assert.Equal([Svc()], afterSpec.ChangedServices);
        Assert.Empty(afterSpec.ChangedEndpoints);
        Assert.Equal(30081, Port(afterSpec).Info.NodePort);

        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")]));
        var afterEndpoints = _v4.Build(_state);
        Assert.Equal([Svc()], afterEndpoints.ChangedServices);
        Assert.Equal([Svc()], afterEndpoints.ChangedEndpoints);
    }

    [Fact]
    public void SliceChangeThatDoesNotAlterMergedEndpointsIsNoChange()
    {
        // Only the first address counts and a non-matching port is ignored, so this edit is invisible.
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        _v4.Build(_state);

        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1", extraAddresses: ["198.18.64.50"])],
            ports: [new EndpointPort("p80", Protocol.TCP, 8080), new EndpointPort("other", Protocol.TCP, 9090)]));
        var s = _v4.Build(_state);

        Assert.Empty(s.ChangedServices);
        Assert.Empty(s.ChangedEndpoints);
    }

    [Fact]
    public void EndpointMovingBetweenSlicesIsNeverLost()
    {
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")]));
        _state.UpsertEndpointSlice(Slice("s2", [Endpoint("198.18.64.3")]));
        _v4.Build(_state);

        // The controller moves .2 from s1 to s2: added to s2 first, then removed from s1.
        _state.UpsertEndpointSlice(Slice("s2", [Endpoint("198.18.64.2"), Endpoint("198.18.64.3")]));
        var between = _v4.Build(_state);
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var after = _v4.Build(_state);

        Assert.Empty(between.ChangedServices);
        Assert.Empty(after.ChangedServices);
        Assert.Equal(["198.18.64.1:8080", "198.18.64.2:8080", "198.18.64.3:8080"], Port(after).AllEndpoints.Select(e => e.Key));

        // Removed from s2 then added back to s1, with no build in between: the net result is unchanged too.
        _state.UpsertEndpointSlice(Slice("s2", [Endpoint("198.18.64.3")]));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")]));
        var moved = _v4.Build(_state);
        Assert.Empty(moved.ChangedServices);
        Assert.Equal(3, Port(moved).AllEndpoints.Count);
    }

    [Fact]
    public void SlicesArrivingBeforeTheirServiceAreUsedOnceItExists()
    {
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        var before = _v4.Build(_state);
        Assert.Empty(before.ServicePorts);
        Assert.Empty(before.ChangedServices);

        _state.UpsertService(Web());
        var after = _v4.Build(_state);
        Assert.Equal(["198.18.64.1:8080"], Port(after).AllEndpoints.Select(e => e.Key));
    }

    [Fact]
    public void ServiceWithoutMatchingEndpointPortHasNoEndpoints()
    {
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")], ports: [new EndpointPort("other", Protocol.TCP, 8080)]));
        var port = Port(_v4.Build(_state));
        Assert.Empty(port.AllEndpoints);
        Assert.False(port.HasAnyEndpoints);
    }

    [Fact]
    public void ServiceBecomingHeadlessDisappears()
    {
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        _v4.Build(_state);

        _state.UpsertService(Web() with { ClusterIPs = EquatableArray<System.Net.IPAddress>.Empty, IsHeadless = true });
        var s = _v4.Build(_state);

        Assert.Empty(s.ServicePorts);
        Assert.Equal([Svc()], s.ChangedServices);
    }

    [Fact]
    public void ZoneChangeRecomputesEveryServiceAndReportsWhatDiffers()
    {
        _state.SetNode(Node("zone-a"));
        _state.UpsertService(Web("hinted"));
        _state.UpsertEndpointSlice(Slice("h1", [Endpoint("198.18.64.1", zoneHints: ["zone-a"]), Endpoint("198.18.64.2", zoneHints: ["zone-b"])], service: "hinted"));
        _state.UpsertService(Web("plain"));
        _state.UpsertEndpointSlice(Slice("p1", [Endpoint("198.18.64.3"), Endpoint("198.18.64.4")], service: "plain"));
        var first = _v4.Build(_state);
        Assert.Equal(["198.18.64.1:8080"], Port(first, "hinted").ClusterEndpoints.Select(e => e.Key));

        // Only the node changes: nothing is pending for the Services themselves.
        _state.SetNode(Node("zone-b"));
        var second = _v4.Build(_state);

        Assert.True(second.NodeChanged);
        Assert.Equal("zone-b", second.Node.Zone);
        Assert.Equal(["198.18.64.2:8080"], Port(second, "hinted").ClusterEndpoints.Select(e => e.Key));
        Assert.Equal([Svc("hinted")], second.ChangedServices);
        Assert.Empty(second.ChangedEndpoints);
        Assert.Same(Port(first, "plain"), Port(second, "plain"));

        Assert.False(_v4.Build(_state).NodeChanged);
    }

    [Fact]
    public void NodeLabelChangeOutsideTheZoneIsANodeChangeWithoutServiceChanges()
    {
        _state.SetNode(Node("zone-a"));
        _state.UpsertService(Web());
        _v4.Build(_state);

        _state.SetNode(Node("zone-a", labels: ("node.kubernetes.io/instance-type", "big")));
        var s = _v4.Build(_state);

        Assert.True(s.NodeChanged);
        Assert.Empty(s.ChangedServices);
        Assert.Equal("big", s.Node.Labels["node.kubernetes.io/instance-type"]);
    }

    [Fact]
    public void NodeViewHoldsThisFamilysAddressesAndCidrs()
    {
        _state.SetNode(Node("zone-a", addresses: ["198.18.0.2", "fd00:198:18::2", "198.18.0.3"]) with
        {
            PodCIDRs = new[] { Cidr("198.18.64.0/24"), Cidr("fd00:198:18:40::/64") },
        });
        _state.SetServiceCidrs([new ServiceCidr("kubernetes", new[] { Cidr("198.19.0.0/20"), Cidr("fd00:198:19::/112") })]);

        var v4 = _v4.Build(_state);
        var v6 = _v6.Build(_state);

        Assert.True(v4.Node.Exists);
        Assert.Equal(NodeName, v4.Node.Name);
        Assert.Equal([IP("198.18.0.2"), IP("198.18.0.3")], v4.Node.IPs);
        Assert.Equal(IP("198.18.0.2"), v4.Node.PrimaryIP);
        Assert.Equal([Cidr("198.18.64.0/24")], v4.Node.PodCIDRs);
        Assert.Equal([Cidr("198.19.0.0/20")], v4.ServiceCidrs);
        Assert.Equal([IP("fd00:198:18::2")], v6.Node.IPs);
        Assert.Equal([Cidr("fd00:198:19::/112")], v6.ServiceCidrs);
        Assert.True(v4.NodeChanged);
    }

    [Fact]
    public void ServiceCidrChangeIsANodeChange()
    {
        _v4.Build(_state);
        _state.SetServiceCidrs([new ServiceCidr("kubernetes", new[] { Cidr("198.19.0.0/20") })]);
        Assert.True(_v4.Build(_state).NodeChanged);

        // A ServiceCIDR of the other family does not concern this pipeline.
        _state.SetServiceCidrs([new ServiceCidr("kubernetes", new[] { Cidr("198.19.0.0/20") }), new ServiceCidr("v6", new[] { Cidr("fd00:198:19::/112") })]);
        Assert.False(_v4.Build(_state).NodeChanged);
    }

    [Fact]
    public void MissingNodeGivesAViewThatDoesNotExist()
    {
        var s = _v4.Build(_state);
        Assert.False(s.Node.Exists);
        Assert.Equal(NodeName, s.Node.Name);
        Assert.Null(s.Node.PrimaryIP);
        Assert.False(s.NodeChanged);
    }

    [Fact]
    public void TriggerTimesKeepTheOldestPerChangedService()
    {
        _state.UpsertService(Web("a"));
        _state.UpsertService(Web("b"));
        _state.UpsertService(Web("c"));
        _v4.Build(_state);

        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.1")], service: "a", trigger: T0.AddSeconds(10)));
        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.2")], service: "a", trigger: T0.AddSeconds(4)));
        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.3")], service: "a", trigger: T0.AddSeconds(7)));
        _state.UpsertEndpointSlice(Slice("b1", [Endpoint("198.18.64.4")], service: "b"));
        // c: a change and its revert, with a trigger: no net change, so no latency to report.
        _state.UpsertEndpointSlice(Slice("c1", [Endpoint("198.18.64.5")], service: "c", trigger: T0.AddSeconds(1)));
        _state.DeleteEndpointSlice(Name("ns1", "c1"));
        var s = _v4.Build(_state);

        Assert.Equal([Svc("a"), Svc("b")], s.ChangedServices.Order());
        Assert.Equal(T0.AddSeconds(4), s.LastChangeTriggerTimes[Svc("a")]);
        Assert.Equal([Svc("a")], s.LastChangeTriggerTimes.Keys);

        Assert.Empty(_v4.Build(_state).LastChangeTriggerTimes);
    }

    [Fact]
    public void WrongFamilyEndpointsAreReportedThroughTheCallback()
    {
        var reported = new List<string>();
        _v4.OnWrongFamilyEndpoint = (slice, ep) => reported.Add($"{slice.Name} {ep.Addresses[0]}");
        _state.UpsertService(Web());
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1"), Endpoint("fd00:198:18:40::1")]));

        var port = Port(_v4.Build(_state));

        Assert.Single(port.AllEndpoints);
        Assert.Equal(["ns1/s1 fd00:198:18:40::1"], reported);
    }

    [Fact]
    public void PreferSameNodeCanBeTurnedOff()
    {
        // Each builder consumes its family's pending set, so each gets its own state.
        var states = new[] { new ClusterState([IPFamily.IPv4]), new ClusterState([IPFamily.IPv4]) };
        foreach (var state in states)
        {
            state.UpsertService(Web());
            state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1", nodeHints: [NodeName]), Endpoint("198.18.64.2", nodeHints: ["node-b"])]));
        }

        var off = new SnapshotBuilder(IPFamily.IPv4, NodeName, preferSameNodeEnabled: false);
        Assert.Equal(2, Port(off.Build(states[0])).ClusterEndpoints.Count);
        Assert.Single(Port(_v4.Build(states[1])).ClusterEndpoints);
    }

    [Fact]
    public void OneChangeAmongTenThousandServicesTouchesOnlyThatOne()
    {
        const int count = 10_000;
        for (var i = 0; i < count; i++)
        {
            var name = $"svc{i}";
            _state.UpsertService(Service(name, clusterIPs: [$"198.19.{i / 250}.{i % 250 + 1}"]));
            _state.UpsertEndpointSlice(Slice($"{name}-x", [Endpoint($"198.18.{64 + i / 250}.{i % 250 + 1}")], service: name));
        }
        var first = _v4.Build(_state);
        Assert.Equal(count, first.ServiceCount);
        Assert.Equal(count, first.ChangedServices.Count);

        _state.UpsertEndpointSlice(Slice("svc1234-x", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")], service: "svc1234"));
        var second = _v4.Build(_state);

        Assert.Equal([Svc("svc1234")], second.ChangedServices);
        Assert.Equal([Svc("svc1234")], second.ChangedEndpoints);
        Assert.Equal(2, Port(second, "svc1234").AllEndpoints.Count);
        foreach (var (name, state) in first.ServicePorts)
        {
            if (name.Service == Svc("svc1234")) Assert.NotSame(state, second.ServicePorts[name]);
            else Assert.Same(state, second.ServicePorts[name]);
        }
    }
}
