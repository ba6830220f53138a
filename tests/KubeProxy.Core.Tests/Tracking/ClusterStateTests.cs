using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Tracking;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Tracking;

/// <summary>The object store and per-family pending sets (upstream's change trackers, minus the snapshotting).</summary>
public sealed class ClusterStateTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ClusterState _state = new([IPFamily.IPv4, IPFamily.IPv6]);

    private void ClearPending()
    {
        foreach (var f in _state.Families) _state.PendingFor(f).Clear();
    }

    [Fact]
    public void ServiceUpsertMarksEveryFamily()
    {
        Assert.True(_state.UpsertService(Service()));
        Assert.Equal([Svc()], _state.PendingFor(IPFamily.IPv4).Services);
        Assert.Equal([Svc()], _state.PendingFor(IPFamily.IPv6).Services);
        Assert.Empty(_state.PendingFor(IPFamily.IPv4).Endpoints);
        Assert.Same(_state.GetService(Svc()), _state.Services.Single());
    }

    [Fact]
    public void IdenticalServiceUpsertIsDropped()
    {
        _state.UpsertService(Service());
        ClearPending();

        // A fresh but equal object, as a relist or resync would deliver.
        Assert.False(_state.UpsertService(Service()));
        Assert.True(_state.PendingFor(IPFamily.IPv4).IsEmpty);
    }

    [Fact]
    public void ServiceDeleteMarksAndUnknownDeleteIsDropped()
    {
        Assert.False(_state.DeleteService(Svc()));
        _state.UpsertService(Service());
        ClearPending();

        Assert.True(_state.DeleteService(Svc()));
        Assert.Null(_state.GetService(Svc()));
        Assert.Equal([Svc()], _state.PendingFor(IPFamily.IPv6).Services);
        Assert.False(_state.DeleteService(Svc()));
    }

    [Fact]
    public void SliceMarksOnlyItsOwnFamily()
    {
        Assert.True(_state.UpsertEndpointSlice(Slice("s6", [Endpoint("fd00:198:18:40::1")], family: IPFamily.IPv6)));
        Assert.Empty(_state.PendingFor(IPFamily.IPv4).Endpoints);
        Assert.Equal([Svc()], _state.PendingFor(IPFamily.IPv6).Endpoints);
        Assert.Empty(_state.PendingFor(IPFamily.IPv6).Services);
    }

    [Fact]
    public void IdenticalSliceUpsertIsDroppedButAChangedOneIsNot()
    {
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        ClearPending();

        Assert.False(_state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")])));
        Assert.True(_state.PendingFor(IPFamily.IPv4).IsEmpty);

        Assert.True(_state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1", ready: false)])));
        Assert.Equal([Svc()], _state.PendingFor(IPFamily.IPv4).Endpoints);
        Assert.Equal(1, _state.EndpointSliceCount);
    }

    [Fact]
    public void SliceDeleteMarksAndUnknownDeleteIsDropped()
    {
        Assert.False(_state.DeleteEndpointSlice(Name("ns1", "s1")));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")]));
        ClearPending();

        Assert.True(_state.DeleteEndpointSlice(Name("ns1", "s1")));
        Assert.Empty(_state.SlicesOf(Svc()));
        Assert.Equal([Svc()], _state.PendingFor(IPFamily.IPv4).Endpoints);
        Assert.Equal(0, _state.EndpointSliceCount);
    }

    [Fact]
    public void SliceRelabelledToAnotherServiceMarksBoth()
    {
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")], service: "svc1"));
        ClearPending();

        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")], service: "svc2"));

        Assert.Equal([Svc("svc1"), Svc("svc2")], _state.PendingFor(IPFamily.IPv4).Endpoints.Order());
        Assert.Empty(_state.SlicesOf(Svc("svc1")));
        Assert.Single(_state.SlicesOf(Svc("svc2")));
    }

    [Fact]
    public void An_updated_slice_keeps_its_place_and_a_slice_moving_to_another_Service_leaves_the_first()
    {
        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.1")], service: "a"));
        _state.UpsertEndpointSlice(Slice("a2", [Endpoint("198.18.64.2")], service: "a"));
        _state.UpsertEndpointSlice(Slice("a3", [Endpoint("198.18.64.3")], service: "a"));

        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.9")], service: "a"));
        Assert.Equal(["a1", "a2", "a3"], _state.SlicesOf(Svc("a")).Select(s => s.Name.Name));
        Assert.Equal(IPAddress.Parse("198.18.64.9"), _state.SlicesOf(Svc("a")).First().Endpoints[0].FirstAddress);

        _state.UpsertEndpointSlice(Slice("a2", [Endpoint("198.18.64.2")], service: "b"));
        Assert.Equal(["a1", "a3"], _state.SlicesOf(Svc("a")).Select(s => s.Name.Name));
        Assert.Equal(["a2"], _state.SlicesOf(Svc("b")).Select(s => s.Name.Name));
        Assert.Equal(3, _state.EndpointSliceCount);
    }

    [Fact]
    public void SlicesAreGroupedByService()
    {
        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.1")], service: "a"));
        _state.UpsertEndpointSlice(Slice("a2", [Endpoint("198.18.64.2")], service: "a"));
        _state.UpsertEndpointSlice(Slice("b1", [Endpoint("198.18.64.3")], service: "b"));
        _state.UpsertEndpointSlice(Slice("a1", [Endpoint("198.18.64.1")], service: "a", ns: "other"));

        Assert.Equal(["a1", "a2"], _state.SlicesOf(Svc("a")).Select(s => s.Name.Name).Order());
        Assert.Equal(["b1"], _state.SlicesOf(Svc("b")).Select(s => s.Name.Name));
        Assert.Single(_state.SlicesOf(Svc("a", "other")));
        Assert.Equal(4, _state.EndpointSliceCount);
    }

    [Fact]
    public void OldestTriggerTimeIsKept()
    {
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.1")], trigger: T0.AddSeconds(5)));
        _state.UpsertEndpointSlice(Slice("s1", [Endpoint("198.18.64.2")], trigger: T0.AddSeconds(2)));
        _state.UpsertEndpointSlice(Slice("s2", [Endpoint("198.18.64.3")], trigger: T0.AddSeconds(9)));
        _state.UpsertEndpointSlice(Slice("s3", [Endpoint("198.18.64.4")], service: "svc2"));

        var triggers = _state.PendingFor(IPFamily.IPv4).TriggerTimes;
        Assert.Equal(T0.AddSeconds(2), triggers[Svc()]);
        Assert.False(triggers.ContainsKey(Svc("svc2")));
    }

    [Fact]
    public void NodeChangeMarksEveryFamilyAndAnEqualNodeIsDropped()
    {
        Assert.True(_state.SetNode(Node("zone-a")));
        Assert.True(_state.PendingFor(IPFamily.IPv4).NodeChanged);
        Assert.True(_state.PendingFor(IPFamily.IPv6).NodeChanged);
        ClearPending();

        Assert.False(_state.SetNode(Node("zone-a")));
        Assert.True(_state.PendingFor(IPFamily.IPv4).IsEmpty);

        Assert.True(_state.SetNode(Node("zone-a", labels: ("rack", "r1"))));
        Assert.True(_state.SetNode(null));
        Assert.Null(_state.Node);
    }

    [Fact]
    public void ServiceCidrChangeMarksEveryFamily()
    {
        var cidrs = new[] { new ServiceCidr("kubernetes", new[] { Cidr("198.19.0.0/20"), Cidr("fd00:198:19::/112") }) };
        Assert.True(_state.SetServiceCidrs(cidrs));
        Assert.True(_state.PendingFor(IPFamily.IPv6).NodeChanged);
        ClearPending();

        Assert.False(_state.SetServiceCidrs([new ServiceCidr("kubernetes", new[] { Cidr("198.19.0.0/20"), Cidr("fd00:198:19::/112") })]));
        Assert.True(_state.PendingFor(IPFamily.IPv4).IsEmpty);
    }
}
