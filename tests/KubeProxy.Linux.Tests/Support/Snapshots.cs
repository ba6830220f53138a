using System.Collections.Immutable;
using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Linux.Tests.Support;

/// <summary>Hand-built snapshots: only what the conntrack cleanup reads (service ports, endpoints, changed sets).</summary>
internal static class Snapshots
{
    public static ServicePortState Port(
        string service,
        string clusterIP,
        int port,
        Protocol protocol = Protocol.UDP,
        int nodePort = 0,
        string[]? externalIPs = null,
        string[]? loadBalancerIPs = null,
        string portName = "p",
        params (string IP, bool Serving)[] endpoints)
    {
        var name = new ServicePortName(new ObjectName("ns", service), portName, protocol);
        var info = new ServicePortInfo
        {
            Name = name,
            ClusterIP = IPAddress.Parse(clusterIP),
            Port = port,
            NodePort = nodePort,
            ExternalIPs = (externalIPs ?? []).Select(IPAddress.Parse).ToEquatableArray(),
            LoadBalancerVIPs = (loadBalancerIPs ?? []).Select(IPAddress.Parse).ToEquatableArray(),
        };
        var eps = endpoints
            .Select(e => new EndpointInfo { IP = IPAddress.Parse(e.IP), Port = 5353, Serving = e.Serving, Ready = e.Serving, Terminating = !e.Serving })
            .ToEquatableArray();
        var ready = eps.Where(e => e.Ready).ToEquatableArray();
        return new ServicePortState(info, eps, ready, EquatableArray<EndpointInfo>.Empty, ready, eps.Count > 0);
    }

    public static ProxySnapshot Of(IPFamily family, IEnumerable<ServicePortState> ports, IEnumerable<string>? changed = null, long generation = 1)
    {
        var list = ports.ToList();
        return new ProxySnapshot
        {
            Family = family,
            Generation = generation,
            Node = new NodeView { Name = "node-a" },
            ServicePorts = list.ToImmutableDictionary(p => p.Name),
            PortsByService = list.GroupBy(p => p.Name.Service).ToImmutableDictionary(g => g.Key, g => g.Select(p => p.Name).ToImmutableArray()),
            ChangedServices = (changed ?? []).Select(s => new ObjectName("ns", s)).ToImmutableHashSet(),
        };
    }

    public static ProxySnapshot Of(params ServicePortState[] ports) => Of(IPFamily.IPv4, ports);
}
