using System.Text.Json;
using System.Text.Json.Nodes;
using KubeProxy.Core.Model;

namespace KubeProxy.Bench.Generation;

/// <summary>Writes a generated cluster as a manifest directory the real kube-proxy reads with <c>--manifests</c>.</summary>
internal static class ManifestWriter
{
    /// <summary>node.json plus services-NNN.json files of 1,000 Services (with their slices) each, as v1 Lists.</summary>
    public static void Write(ClusterShape shape, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "node.json"), NodeJson().ToJsonString());
        var items = new JsonArray();
        var file = 0;
        foreach (var (service, slices) in ClusterGenerator.Generate(shape))
        {
            items.Add(ServiceJson(service));
            foreach (var slice in slices) items.Add(SliceJson(slice));
            if (items.Count >= 2000)
            {
                Flush(directory, file++, items);
                items = [];
            }
        }
        if (items.Count > 0) Flush(directory, file, items);
    }

    private static void Flush(string directory, int file, JsonArray items) =>
        File.WriteAllText(Path.Combine(directory, $"services-{file:D3}.json"),
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items }.ToJsonString());

    internal static JsonObject NodeJson() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = ClusterGenerator.NodeName },
        ["spec"] = new JsonObject { ["podCIDR"] = "198.18.64.0/24", ["podCIDRs"] = new JsonArray("198.18.64.0/24", "fd00:18::/112") },
        ["status"] = new JsonObject
        {
            ["addresses"] = new JsonArray(
                new JsonObject { ["type"] = "InternalIP", ["address"] = ClusterGenerator.NodeIPv4.ToString() },
                new JsonObject { ["type"] = "InternalIP", ["address"] = ClusterGenerator.NodeIPv6.ToString() }),
        },
    };

    internal static JsonObject ServiceJson(Service s)
    {
        var ports = new JsonArray();
        foreach (var p in s.Ports)
        {
            var port = new JsonObject { ["name"] = p.Name, ["port"] = p.Port, ["protocol"] = p.Protocol.ToString() };
            if (p.NodePort != 0) port["nodePort"] = p.NodePort;
            ports.Add(port);
        }
        var spec = new JsonObject
        {
            ["type"] = s.Type.ToString(),
            ["clusterIP"] = s.ClusterIPs[0].ToString(),
            ["clusterIPs"] = new JsonArray(s.ClusterIPs.Select(ip => (JsonNode)JsonValue.Create(ip.ToString())).ToArray()),
            ["ipFamilies"] = new JsonArray(s.ClusterIPs.Select(ip => (JsonNode)JsonValue.Create(ip.Family() == IPFamily.IPv4 ? "IPv4" : "IPv6")).ToArray()),
            ["ipFamilyPolicy"] = s.ClusterIPs.Count > 1 ? "RequireDualStack" : "SingleStack",
            ["ports"] = ports,
            ["sessionAffinity"] = s.SessionAffinity == SessionAffinity.ClientIP ? "ClientIP" : "None",
            ["internalTrafficPolicy"] = s.InternalTrafficPolicy.ToString(),
        };
        if (s.SessionAffinity == SessionAffinity.ClientIP)
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = s.AffinityTimeoutSeconds } };
        if (s.Type != ServiceType.ClusterIP) spec["externalTrafficPolicy"] = s.ExternalTrafficPolicy.ToString();
        if (s.HealthCheckNodePort != 0) spec["healthCheckNodePort"] = s.HealthCheckNodePort;
        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = s.Name.Name, ["namespace"] = s.Name.Namespace },
            ["spec"] = spec,
        };
        if (s.LoadBalancerIngress.Count > 0)
        {
            service["status"] = new JsonObject
            {
                ["loadBalancer"] = new JsonObject
                {
                    ["ingress"] = new JsonArray(s.LoadBalancerIngress.Select(i => (JsonNode)new JsonObject { ["ip"] = i.IP.ToString() }).ToArray()),
                },
            };
        }
        return service;
    }

    internal static JsonObject SliceJson(EndpointSlice slice) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = slice.Name.Name,
            ["namespace"] = slice.Name.Namespace,
            ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = slice.Service.Name },
        },
        ["addressType"] = slice.AddressType == IPFamily.IPv4 ? "IPv4" : "IPv6",
        ["ports"] = new JsonArray(slice.Ports.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["port"] = p.Port, ["protocol"] = p.Protocol.ToString() }).ToArray()),
        ["endpoints"] = new JsonArray(slice.Endpoints.Select(e => (JsonNode)new JsonObject
        {
            ["addresses"] = new JsonArray(e.Addresses.Select(a => (JsonNode)JsonValue.Create(a.ToString())).ToArray()),
            ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true, ["terminating"] = false },
            ["nodeName"] = e.NodeName,
        }).ToArray()),
    };
}
