using System.Text;
using KubeProxy.Core.Model;

namespace KubeProxy.Lab.Manifests;

/// <summary>An EndpointSlice of a Service (label <c>kubernetes.io/service-name</c>), written out as YAML.</summary>
public sealed record EndpointSliceManifest(string Name, string ServiceName, IPFamily AddressType, string Namespace = "default") : IManifest
{
    public IReadOnlyList<EndpointManifest> Endpoints { get; init; } = [];

    /// <summary>Ports by name (matching the Service port names) with the endpoint-side port number.</summary>
    public IReadOnlyList<(string Name, int Port, Protocol Protocol)> Ports { get; init; } = [];

    public string FileName => $"eps-{Namespace}-{Name}.yaml";

    /// <summary>The usual slice of a Service: named after it plus the family, e.g. <c>web-v4</c>.</summary>
    public static EndpointSliceManifest Of(ServiceManifest service, IPFamily family) =>
        new($"{service.Name}-{(family == IPFamily.IPv6 ? "v6" : "v4")}", service.Name, family, service.Namespace)
        {
            Ports = service.Ports.Select(p => (p.Name, p.TargetPort ?? p.Port, p.Protocol)).ToList(),
        };

    public string ToYaml()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: discovery.k8s.io/v1");
        yaml.AppendLine("kind: EndpointSlice");
        yaml.AppendLine("metadata:");
        yaml.Append("  name: ").AppendLine(Yaml.Quote(Name));
        yaml.Append("  namespace: ").AppendLine(Yaml.Quote(Namespace));
        Yaml.Labels(yaml, "  ", new Dictionary<string, string> { ["kubernetes.io/service-name"] = ServiceName });
        yaml.Append("addressType: ").AppendLine(AddressType.Label());
        yaml.AppendLine(Endpoints.Count == 0 ? "endpoints: []" : "endpoints:");
        foreach (var endpoint in Endpoints)
        {
            yaml.Append("- addresses: [").Append(Yaml.Quote(endpoint.Address.ToString())).AppendLine("]");
            var conditions = new List<string>();
            if (endpoint.Ready is { } ready)
            {
                conditions.Add($"ready: {(ready ? "true" : "false")}");
            }

            if (endpoint.Serving is { } serving)
            {
                conditions.Add($"serving: {(serving ? "true" : "false")}");
            }

            if (endpoint.Terminating is { } terminating)
            {
                conditions.Add($"terminating: {(terminating ? "true" : "false")}");
            }

            if (conditions.Count > 0)
            {
                yaml.Append("  conditions: {").Append(string.Join(", ", conditions)).AppendLine("}");
            }

            if (endpoint.NodeName is not null)
            {
                yaml.Append("  nodeName: ").AppendLine(Yaml.Quote(endpoint.NodeName));
            }

            if (endpoint.Zone is not null)
            {
                yaml.Append("  zone: ").AppendLine(Yaml.Quote(endpoint.Zone));
            }

            if (endpoint.TargetPodName is not null)
            {
                yaml.Append("  targetRef: {kind: Pod, namespace: ").Append(Yaml.Quote(Namespace))
                    .Append(", name: ").Append(Yaml.Quote(endpoint.TargetPodName)).AppendLine("}");
            }
        }

        yaml.AppendLine(Ports.Count == 0 ? "ports: []" : "ports:");
        foreach (var (name, port, protocol) in Ports)
        {
            yaml.Append("- name: ").AppendLine(Yaml.Quote(name));
            yaml.Append("  port: ").Append(port).AppendLine();
            yaml.Append("  protocol: ").AppendLine(protocol.ToString());
        }

        return yaml.ToString();
    }
}
