using System.Text;

namespace KubeProxy.Lab.Manifests;

/// <summary>
/// A ServiceCIDR (networking.k8s.io/v1): tells kube-proxy which range ClusterIPs come from, so traffic to an
/// unallocated address in it can be dropped.
/// </summary>
public sealed record ServiceCidrManifest(string Name, IReadOnlyList<string> Cidrs) : IManifest
{
    /// <summary>The lab's ClusterIP ranges, both families.</summary>
    public static ServiceCidrManifest Lab() =>
        new("kubernetes", [LabAddresses.ClusterIPRangeV4.ToString(), LabAddresses.ClusterIPRangeV6.ToString()]);

    public string FileName => $"servicecidr-{Name}.yaml";

    public string ToYaml()
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: networking.k8s.io/v1");
        yaml.AppendLine("kind: ServiceCIDR");
        yaml.AppendLine("metadata:");
        yaml.Append("  name: ").AppendLine(Yaml.Quote(Name));
        yaml.AppendLine("spec:");
        Yaml.List(yaml, "  ", "cidrs", Cidrs);
        return yaml.ToString();
    }
}
