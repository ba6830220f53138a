using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Tracking;

namespace KubeProxy.Nftables.Tests;

/// <summary>Builds snapshots for renderer tests from compact descriptions, through the real core tracker.</summary>
internal sealed class ClusterBuilder
{
    private readonly ClusterState _state;
    private readonly SnapshotBuilder _builder;

    public ClusterBuilder(IPFamily family = IPFamily.IPv4, string nodeName = "node-1")
    {
        _state = new ClusterState([family]);
        _builder = new SnapshotBuilder(family, nodeName);
        NodeName = nodeName;
    }

    public string NodeName { get; }

    public ClusterBuilder Node(string ip, string podCidr = "198.18.64.0/24")
    {
        _state.SetNode(new Node
        {
            Name = NodeName,
            Addresses = new[] { IPAddress.Parse(ip) },
            PodCIDRs = new[] { IPNetwork.Parse(podCidr) },
        });
        return this;
    }

    public ClusterBuilder Service(Service service)
    {
        _state.UpsertService(service);
        return this;
    }

    public ClusterBuilder DeleteService(string ns, string name)
    {
        _state.DeleteService(new ObjectName(ns, name));
        return this;
    }

    public ClusterBuilder Slice(EndpointSlice slice)
    {
        _state.UpsertEndpointSlice(slice);
        return this;
    }

    public ProxySnapshot Build() => _builder.Build(_state);

    public static Service ClusterIP(string ns, string name, string ip, int port, Protocol protocol = Protocol.TCP, string portName = "p") =>
        new()
        {
            Name = new ObjectName(ns, name),
            ClusterIPs = new[] { IPAddress.Parse(ip) },
            Ports = new[] { new ServicePort(portName, protocol, port) },
        };

    public static EndpointSlice Endpoints(string ns, string service, int port, params string[] ips) =>
        EndpointsOn(ns, service, port, "node-1", Protocol.TCP, ips);

    public static EndpointSlice EndpointsOn(string ns, string service, int port, string? node, Protocol protocol, params string[] ips) =>
        new()
        {
            Name = new ObjectName(ns, service + "-abc"),
            Service = new ObjectName(ns, service),
            AddressType = IPAddress.Parse(ips.Length > 0 ? ips[0] : "0.0.0.0").Family(),
            Ports = new[] { new EndpointPort("p", protocol, port) },
            Endpoints = ips.Select(ip => new Endpoint { Addresses = new[] { IPAddress.Parse(ip) }, NodeName = node, Ready = true }).ToArray(),
        };
}
