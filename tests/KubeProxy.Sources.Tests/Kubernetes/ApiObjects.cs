using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>Builders for the API objects tests put into the fake server. Addresses come from the test ranges.</summary>
internal static class ApiObjects
{
    public static V1Service Service(string ns, string name, int index = 1, int port = 80, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = ClusterIP(index),
            ClusterIPs = [ClusterIP(index)],
            Ports = [new V1ServicePort { Name = "http", Port = port, Protocol = "TCP", TargetPort = 8080 }],
        },
    };

    public static V1EndpointSlice Slice(string ns, string name, string service, params string[] addresses) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { [ProxyLabels.ServiceName] = service },
        },
        AddressType = "IPv4",
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
        Endpoints = [.. addresses.Select(a => new V1Endpoint { Addresses = [a], Conditions = new V1EndpointConditions { Ready = true } })],
    };

    public static V1Node Node(string name, string address) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "zone-a" } },
        Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = address }] },
    };

    public static V1ServiceCIDR ServiceCidr(string name, params string[] cidrs) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceCIDRSpec { Cidrs = cidrs },
    };

    /// <summary>A ClusterIP in 198.19.0.0/20 (the test plan's ClusterIP range), one per index.</summary>
    public static string ClusterIP(int index) => $"198.19.{(index / 250) % 16}.{(index % 250) + 1}";

    public static string PodIP(int index) => $"198.18.{64 + ((index / 250) % 64)}.{(index % 250) + 1}";
}
