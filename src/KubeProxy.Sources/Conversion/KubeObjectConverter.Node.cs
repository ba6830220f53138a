using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Conversion;

public static partial class KubeObjectConverter
{
    public static ConversionResult<Node> ToNode(V1Node node, string origin)
    {
        ArgumentNullException.ThrowIfNull(node);
        try
        {
            return ConversionResult<Node>.Ok(ConvertNode(node));
        }
        catch (InvalidFieldException e)
        {
            return ConversionResult<Node>.Invalid(e.Message);
        }
    }

    private static Node ConvertNode(V1Node node)
    {
        // Nodes are cluster-scoped: the API server clears any namespace given, so it is ignored here too.
        var metadata = node.Metadata;
        var name = ValidName(metadata, NameRules.Dns1123Subdomain);
        var labels = ValidLabels(metadata.Labels);
        return new Node
        {
            Name = name,
            Addresses = NodeAddresses(node.Status?.Addresses),
            PodCIDRs = ParsePodCidrs(node.Spec),
            Labels = labels,
            IsBeingDeleted = metadata.DeletionTimestamp is not null,
            IsToBeDeletedByClusterAutoscaler = node.Spec?.Taints?.Any(t => t?.Key == Node.ToBeDeletedTaint) ?? false,
        };
    }

    /// <summary>
    /// InternalIP addresses, then ExternalIP ones, each in status order (upstream's GetNodeHostIPs). The API server
    /// does not validate status addresses; like upstream, entries that do not parse are skipped, not errors.
    /// </summary>
    private static EquatableArray<IPAddress> NodeAddresses(IList<V1NodeAddress>? addresses)
    {
        if (addresses is null || addresses.Count == 0) return EquatableArray<IPAddress>.Empty;
        var result = new List<IPAddress>();
        foreach (var type in (string[])["InternalIP", "ExternalIP"])
        {
            foreach (var address in addresses)
            {
                if (address?.Type == type && IPText.TryParseAddress(address.Address, out var ip) && !result.Contains(ip)) result.Add(ip);
            }
        }
        return result.ToEquatableArray();
    }

    private static EquatableArray<IPNetwork> ParsePodCidrs(V1NodeSpec? spec)
    {
        // Older objects may only have the singular field; the API server keeps podCIDRs[0] equal to it.
        var hasList = spec?.PodCIDRs is { Count: > 0 };
        var texts = hasList ? spec!.PodCIDRs.ToList()
            : string.IsNullOrEmpty(spec?.PodCIDR) ? [] : [spec.PodCIDR];
        if (texts.Count == 0) return EquatableArray<IPNetwork>.Empty;

        var result = new IPNetwork[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            result[i] = ValidCidr(texts[i], hasList ? $"spec.podCIDRs[{i}]" : "spec.podCIDR");
            if (Array.IndexOf(result, result[i], 0, i) >= 0) throw FieldError.Duplicate($"spec.podCIDRs[{i}]", texts[i]);
        }
        if (result.Length > 2 || (result.Length == 2 && result[0].Family() == result[1].Family()))
            throw FieldError.Invalid("spec.podCIDRs", texts, "may specify no more than one CIDR for each IP family");
        return result;
    }
}
