using k8s.Models;

namespace KubeProxy.Bench.ApiSource;

/// <summary>Services and EndpointSlices shaped like a real cluster's: two ports, three endpoints per slice.</summary>
internal static class ClusterObjects
{
    public static V1Service Service(int i, int generation) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"svc-{i:D5}",
            NamespaceProperty = $"ns-{i % 50:D2}",
            Labels = new Dictionary<string, string> { ["app"] = $"app-{i}", ["generation"] = generation.ToString() },
        },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = ClusterIP(i),
            ClusterIPs = [ClusterIP(i)],
            IpFamilies = ["IPv4"],
            Ports =
            [
                new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP", TargetPort = 8080 },
                new V1ServicePort { Name = "metrics", Port = 9090 + (generation % 2), Protocol = "TCP", TargetPort = 9090 },
            ],
        },
    };

    public static V1EndpointSlice Slice(int i, int generation) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"svc-{i:D5}-abcde",
            NamespaceProperty = $"ns-{i % 50:D2}",
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = $"svc-{i:D5}" },
        },
        AddressType = "IPv4",
        Ports =
        [
            new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" },
            new Discoveryv1EndpointPort { Name = "metrics", Port = 9090, Protocol = "TCP" },
        ],
        Endpoints = [.. Enumerable.Range(0, 3).Select(e => new V1Endpoint
        {
            Addresses = [PodIP((i * 3) + e + generation)],
            Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
            NodeName = $"node-{(i + e) % 100}",
            Zone = $"zone-{e}",
        })],
    };

    private static string ClusterIP(int i) => $"198.19.{(i / 250) % 64}.{(i % 250) + 1}";

    private static string PodIP(int i) => $"198.18.{64 + ((i / 250) % 64)}.{(i % 250) + 1}";
}
