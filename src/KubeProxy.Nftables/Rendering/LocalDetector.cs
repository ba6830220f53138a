using System.Net;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// The rule fragments that tell local pod traffic from the rest (upstream LocalTrafficDetector), or nothing when
/// no detector is configured (or its CIDR is unknown yet).
/// </summary>
public sealed record LocalDetector(string? IfLocal, string? IfNotLocal)
{
    public static readonly LocalDetector NotImplemented = new(null, null);

    public bool IsImplemented => IfLocal is not null;

    public static LocalDetector Create(NftablesOptions options, NodeView node)
    {
        var ip = NftFamily.Of(options.Family).Ip;
        switch (options.LocalDetectMode)
        {
            case LocalDetectMode.ClusterCIDR:
                return FromCidrs(ip, options.ClusterCidrs);
            case LocalDetectMode.NodeCIDR:
                return FromCidrs(ip, node.PodCIDRs.Take(1).ToList());
            case LocalDetectMode.BridgeInterface when !string.IsNullOrEmpty(options.BridgeInterface):
                return new($"iifname \"{options.BridgeInterface}\"", $"iifname != \"{options.BridgeInterface}\"");
            case LocalDetectMode.InterfaceNamePrefix when !string.IsNullOrEmpty(options.InterfaceNamePrefix):
                return new($"iifname \"{options.InterfaceNamePrefix}*\"", $"iifname != \"{options.InterfaceNamePrefix}*\"");
            default:
                return NotImplemented;
        }
    }

    private static LocalDetector FromCidrs(string ip, IReadOnlyList<IPNetwork> cidrs)
    {
        if (cidrs.Count == 0) return NotImplemented;
        var set = cidrs.Count == 1 ? cidrs[0].ToString() : "{ " + string.Join(", ", cidrs) + " }";
        return new($"{ip} saddr {set}", $"{ip} saddr != {set}");
    }
}
