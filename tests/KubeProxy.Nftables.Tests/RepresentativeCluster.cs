using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Nftables.Tests;

/// <summary>A small cluster that exercises every rendering path; shared by the golden and renderer tests.</summary>
internal static class RepresentativeCluster
{
    public static ClusterBuilder Build()
    {
        var cluster = new ClusterBuilder().Node("198.18.0.10");
        foreach (var (service, slice) in Objects())
        {
            cluster.Service(service);
            if (slice is not null) cluster.Slice(slice);
        }
        return cluster;
    }

    /// <summary>The Services and their slices, one by one (for tests that add them in turn).</summary>
    public static IEnumerable<(Service Service, EndpointSlice? Slice)> Objects()
    {
        yield return (ClusterBuilder.ClusterIP("default", "web", "198.19.0.10", 80, portName: "http"),
            Slice("default", "web", "http", 8080, Protocol.TCP, ("198.18.64.11", "node-1"), ("198.18.65.11", "node-2")));
        yield return (ClusterBuilder.ClusterIP("default", "web-nodeport", "198.19.0.11", 80) with
        {
            Type = ServiceType.NodePort,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30080) },
        },
            Slice("default", "web-nodeport", "p", 8080, Protocol.TCP, ("198.18.64.11", "node-1")));
        yield return (ClusterBuilder.ClusterIP("default", "web-lb", "198.19.0.12", 80) with
        {
            Type = ServiceType.LoadBalancer,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30081) },
            LoadBalancerIngress = new[] { new LoadBalancerIngress(IPAddress.Parse("198.19.200.10")), new LoadBalancerIngress(IPAddress.Parse("198.19.200.99"), LoadBalancerIPMode.Proxy) },
            LoadBalancerSourceRanges = new[] { IPNetwork.Parse("198.19.128.0/24"), IPNetwork.Parse("198.18.0.0/24") },
        },
            Slice("default", "web-lb", "p", 8080, Protocol.TCP, ("198.18.64.11", "node-1")));
        yield return (ClusterBuilder.ClusterIP("default", "web-local", "198.19.0.13", 80) with
        {
            Type = ServiceType.LoadBalancer,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30082) },
            LoadBalancerIngress = new[] { new LoadBalancerIngress(IPAddress.Parse("198.19.200.11")) },
            ExternalTrafficPolicy = TrafficPolicy.Local,
            HealthCheckNodePort = 32000,
        },
            Slice("default", "web-local", "p", 8080, Protocol.TCP, ("198.18.64.12", "node-1"), ("198.18.65.12", "node-2")));
        yield return (ClusterBuilder.ClusterIP("default", "remote-local", "198.19.0.17", 80) with
        {
            Type = ServiceType.NodePort,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30083) },
            ExternalTrafficPolicy = TrafficPolicy.Local,
        },
            Slice("default", "remote-local", "p", 8080, Protocol.TCP, ("198.18.65.13", "node-2")));
        yield return (ClusterBuilder.ClusterIP("default", "web-external", "198.19.0.14", 80) with
        {
            ExternalIPs = new[] { IPAddress.Parse("198.19.201.10") },
        },
            Slice("default", "web-external", "p", 8080, Protocol.TCP, ("198.18.64.11", "node-1")));
        yield return (ClusterBuilder.ClusterIP("default", "web-sticky", "198.19.0.15", 80) with
        {
            SessionAffinity = SessionAffinity.ClientIP,
            AffinityTimeoutSeconds = 60,
        },
            Slice("default", "web-sticky", "p", 8080, Protocol.TCP, ("198.18.64.11", "node-1"), ("198.18.64.12", "node-1")));
        yield return (ClusterBuilder.ClusterIP("default", "internal-local", "198.19.0.18", 80) with
        {
            InternalTrafficPolicy = TrafficPolicy.Local,
        },
            Slice("default", "internal-local", "p", 8080, Protocol.TCP, ("198.18.65.14", "node-2")));
        yield return (ClusterBuilder.ClusterIP("default", "dns", "198.19.0.53", 53, Protocol.UDP, "dns"),
            Slice("default", "dns", "dns", 5353, Protocol.UDP, ("198.18.64.21", "node-1")));
        yield return (ClusterBuilder.ClusterIP("default", "sctp", "198.19.0.54", 9000, Protocol.SCTP),
            Slice("default", "sctp", "p", 9000, Protocol.SCTP, ("198.18.64.22", "node-1")));
        yield return (ClusterBuilder.ClusterIP("default", "empty", "198.19.0.20", 80) with
        {
            Type = ServiceType.NodePort,
            Ports = new[] { new ServicePort("p", Protocol.TCP, 80, 30084) },
        }, null);
    }

    internal static EndpointSlice Slice(string ns, string service, string port, int number, Protocol protocol, params (string Ip, string Node)[] endpoints) =>
        new()
        {
            Name = new ObjectName(ns, service + "-abc12"),
            Service = new ObjectName(ns, service),
            AddressType = IPFamily.IPv4,
            Ports = new[] { new EndpointPort(port, protocol, number) },
            Endpoints = endpoints.Select(e => new Endpoint { Addresses = new[] { IPAddress.Parse(e.Ip) }, NodeName = e.Node, Ready = true }).ToArray(),
        };
}
