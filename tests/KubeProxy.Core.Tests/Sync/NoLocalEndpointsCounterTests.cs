using KubeProxy.Core.Model;
using KubeProxy.Core.Sync;
using KubeProxy.Core.Tracking;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Sync;

/// <summary>
/// sync_proxy_rules_no_local_endpoints_total kept incrementally: the partial update must agree with a full recount
/// (upstream recounts every port on every sync).
/// </summary>
public sealed class NoLocalEndpointsCounterTests
{
    private readonly ClusterState _state = new([IPFamily.IPv4]);
    private readonly SnapshotBuilder _builder = new(IPFamily.IPv4, NodeName);
    private readonly NoLocalEndpointsCounter _counter = new();

    private void Internal(string name, params string[] endpointNodes)
    {
        _state.UpsertService(Service(name, itp: TrafficPolicy.Local,
            ports: [new ServicePort("p80", Protocol.TCP, 80), new ServicePort("p81", Protocol.TCP, 81)]));
        SetEndpoints(name, endpointNodes);
    }

    private void External(string name, params string[] endpointNodes)
    {
        _state.UpsertService(Service(name, type: ServiceType.NodePort, etp: TrafficPolicy.Local, itp: TrafficPolicy.Local,
            ports: [new ServicePort("p80", Protocol.TCP, 80, 30080)]));
        SetEndpoints(name, endpointNodes);
    }

    private void SetEndpoints(string service, string[] nodes) =>
        _state.UpsertEndpointSlice(Slice($"{service}-1", nodes.Select((n, i) => Endpoint($"198.18.64.{i + 1}", node: n)), service: service,
            ports: [new EndpointPort("p80", Protocol.TCP, 8080), new EndpointPort("p81", Protocol.TCP, 8081)]));

    private (int Internal, int External) Update(bool full = false)
    {
        _counter.Update(_builder.Build(_state), full);
        return (_counter.Internal, _counter.External);
    }

    private (int Internal, int External) Recount()
    {
        var fresh = new NoLocalEndpointsCounter();
        fresh.Update(_builder.Current, full: true);
        return (fresh.Internal, fresh.External);
    }

    [Fact]
    public void CountsPortsNotServices()
    {
        Internal("a", "node-b");
        Assert.Equal((2, 0), Update(full: true));
    }

    [Fact]
    public void PortsWithLocalEndpointsOrNoEndpointsAtAllAreNotCounted()
    {
        Internal("local", NodeName, "node-b");
        Internal("none");
        External("ext-local", NodeName);
        Assert.Equal((0, 0), Update(full: true));
    }

    [Fact]
    public void ExternallyAccessibleLocalPolicyPortCountsForBoth()
    {
        External("e", "node-b");
        Assert.Equal((1, 1), Update(full: true));
    }

    [Fact]
    public void PartialUpdatesAgreeWithAFullRecount()
    {
        Internal("a", "node-b");
        Internal("b", "node-b");
        External("c", "node-c");
        // c has a Local internal policy too, so it counts on both sides.
        Assert.Equal((5, 1), Update(full: true));

        SetEndpoints("a", [NodeName]);
        Assert.Equal((3, 1), Update());
        Assert.Equal(Recount(), (_counter.Internal, _counter.External));

        _state.DeleteService(Svc("c"));
        Assert.Equal((2, 0), Update());
        Assert.Equal(Recount(), (_counter.Internal, _counter.External));

        // A change to one service leaves the others' contributions in place.
        _state.UpsertService(Service("d"));
        Assert.Equal((2, 0), Update());

        SetEndpoints("b", []);
        Assert.Equal((0, 0), Update());
        Assert.Equal(Recount(), (_counter.Internal, _counter.External));
    }
}
