using System.Text;

namespace KubeProxy.Lab.Manifests;

/// <summary>The Node object of a lab node (InternalIP addresses, pod CIDRs), which kube-proxy reads for its node IPs.</summary>
public sealed record NodeManifest(string Name) : IManifest
{
    public IReadOnlyList<string> InternalIPs { get; init; } = [];

    public IReadOnlyList<string> PodCidrs { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string FileName => $"node-{Name}.yaml";

    /// <summary>The manifest for a lab node: both node addresses and both pod CIDRs.</summary>
    public static NodeManifest For(LabNode node) => new(node.Name)
    {
        InternalIPs = [node.IPv4.ToString(), node.IPv6.ToString()],
        PodCidrs = [node.PodCidrV4.ToString(), node.PodCidrV6.ToString()],
        Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node.Name },
    };

    public string ToYaml()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: v1");
        yaml.AppendLine("kind: Node");
        yaml.AppendLine("metadata:");
        yaml.Append("  name: ").AppendLine(Yaml.Quote(Name));
        Yaml.Labels(yaml, "  ", Labels);
        yaml.AppendLine("spec:");
        if (PodCidrs.Count > 0)
        {
            yaml.Append("  podCIDR: ").AppendLine(Yaml.Quote(PodCidrs[0]));
            Yaml.List(yaml, "  ", "podCIDRs", PodCidrs);
        }

        yaml.AppendLine("status:");
        yaml.AppendLine("  addresses:");
        foreach (var ip in InternalIPs)
        {
            yaml.Append("  - type: InternalIP").AppendLine();
            yaml.Append("    address: ").AppendLine(Yaml.Quote(ip));
        }

        return yaml.ToString();
    }
}
