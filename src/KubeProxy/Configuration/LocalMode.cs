namespace KubeProxy.Configuration;

/// <summary>How kube-proxy tells traffic from local pods apart (<c>detectLocalMode</c>).</summary>
public enum LocalMode
{
    /// <summary>Source IP inside clusterCIDR.</summary>
    ClusterCIDR,

    /// <summary>Source IP inside the Node's spec.podCIDRs.</summary>
    NodeCIDR,

    /// <summary>Arriving on detectLocal.bridgeInterface.</summary>
    BridgeInterface,

    /// <summary>Arriving on an interface whose name starts with detectLocal.interfaceNamePrefix.</summary>
    InterfaceNamePrefix,
}

/// <summary>The <c>detectLocalMode</c> strings.</summary>
public static class LocalModes
{
    public const string ClusterCIDR = "ClusterCIDR";
    public const string NodeCIDR = "NodeCIDR";
    public const string BridgeInterface = "BridgeInterface";
    public const string InterfaceNamePrefix = "InterfaceNamePrefix";

    /// <summary>The accepted values in upstream's order, including the empty string.</summary>
    public static IReadOnlyList<string> Supported { get; } =
        [ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix, string.Empty];

    public static bool TryParse(string? text, out LocalMode mode)
    {
        (var ok, mode) = text switch
        {
            ClusterCIDR => (true, LocalMode.ClusterCIDR),
            NodeCIDR => (true, LocalMode.NodeCIDR),
            BridgeInterface => (true, LocalMode.BridgeInterface),
            InterfaceNamePrefix => (true, LocalMode.InterfaceNamePrefix),
            _ => (false, LocalMode.ClusterCIDR),
        };
        return ok;
    }
}
