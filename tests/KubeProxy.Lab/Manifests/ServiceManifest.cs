using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeProxy.Core.Model;

namespace KubeProxy.Lab.Manifests;

/// <summary>
/// A Service as kube-proxy reads it from a manifest file, written out as YAML. Fields the API server would
/// allocate (ClusterIPs, NodePorts) must be given, since nobody allocates them in a manifest directory.
/// </summary>
public sealed record ServiceManifest(string Name, string Namespace = "default") : IManifest
{
    public ServiceType Type { get; init; } = ServiceType.ClusterIP;

    /// <summary>Primary family first; two addresses make the Service dual-stack.</summary>
    public IReadOnlyList<IPAddress> ClusterIPs { get; init; } = [];

    public IReadOnlyList<ServicePortManifest> Ports { get; init; } = [];

    public IReadOnlyList<IPAddress> ExternalIPs { get; init; } = [];

    /// <summary>status.loadBalancer.ingress IPs (VIP mode).</summary>
    public IReadOnlyList<IPAddress> LoadBalancerIngress { get; init; } = [];

    public IReadOnlyList<string> LoadBalancerSourceRanges { get; init; } = [];

    /// <summary>Null leaves the API default (Cluster).</summary>
    public TrafficPolicy? ExternalTrafficPolicy { get; init; }

    /// <summary>Null leaves the API default (Cluster).</summary>
    public TrafficPolicy? InternalTrafficPolicy { get; init; }

    /// <summary>Seconds of ClientIP session affinity; null for none.</summary>
    public int? SessionAffinityTimeoutSeconds { get; init; }

    public int? HealthCheckNodePort { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The file name a test would naturally use: <c>svc-NAMESPACE-NAME.yaml</c>.</summary>
    public string FileName => $"svc-{Namespace}-{Name}.yaml";

    public string ToYaml()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: v1");
        yaml.AppendLine("kind: Service");
        yaml.AppendLine("metadata:");
        yaml.Append("  name: ").AppendLine(Yaml.Quote(Name));
        yaml.Append("  namespace: ").AppendLine(Yaml.Quote(Namespace));
        Yaml.Labels(yaml, "  ", Labels);
        yaml.AppendLine("spec:");
        yaml.Append("  type: ").AppendLine(Type.ToString());
        if (ClusterIPs.Count > 0)
        {
            yaml.Append("  clusterIP: ").AppendLine(Yaml.Quote(ClusterIPs[0].ToString()));
            Yaml.List(yaml, "  ", "clusterIPs", ClusterIPs.Select(ip => ip.ToString()));
            Yaml.List(yaml, "  ", "ipFamilies", ClusterIPs.Select(ip => ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4"));
            yaml.Append("  ipFamilyPolicy: ").AppendLine(ClusterIPs.Count > 1 ? "RequireDualStack" : "SingleStack");
        }

        Yaml.List(yaml, "  ", "externalIPs", ExternalIPs.Select(ip => ip.ToString()));
        Yaml.List(yaml, "  ", "loadBalancerSourceRanges", LoadBalancerSourceRanges);
        if (ExternalTrafficPolicy is not null)
        {
            yaml.Append("  externalTrafficPolicy: ").AppendLine(ExternalTrafficPolicy.ToString());
        }

        if (InternalTrafficPolicy is not null)
        {
            yaml.Append("  internalTrafficPolicy: ").AppendLine(InternalTrafficPolicy.ToString());
        }

        if (HealthCheckNodePort is { } healthCheckNodePort)
        {
            yaml.Append("  healthCheckNodePort: ").Append(healthCheckNodePort).AppendLine();
        }

        if (SessionAffinityTimeoutSeconds is { } timeout)
        {
            yaml.AppendLine("  sessionAffinity: ClientIP");
            yaml.AppendLine("  sessionAffinityConfig:");
            yaml.AppendLine("    clientIP:");
            yaml.Append("      timeoutSeconds: ").Append(timeout).AppendLine();
        }

        if (Ports.Count > 0)
        {
            yaml.AppendLine("  ports:");
            foreach (var port in Ports)
            {
                yaml.Append("  - name: ").AppendLine(Yaml.Quote(port.Name));
                yaml.Append("    protocol: ").AppendLine(port.Protocol.ToString());
                yaml.Append("    port: ").Append(port.Port).AppendLine();
                yaml.Append("    targetPort: ").Append(port.TargetPort ?? port.Port).AppendLine();
                if (port.NodePort is { } nodePort)
                {
                    yaml.Append("    nodePort: ").Append(nodePort).AppendLine();
                }
            }
        }

        if (LoadBalancerIngress.Count > 0)
        {
            yaml.AppendLine("status:");
            yaml.AppendLine("  loadBalancer:");
            yaml.AppendLine("    ingress:");
            foreach (var ip in LoadBalancerIngress)
            {
                yaml.Append("    - ip: ").AppendLine(Yaml.Quote(ip.ToString()));
            }
        }

        return yaml.ToString();
    }
}
