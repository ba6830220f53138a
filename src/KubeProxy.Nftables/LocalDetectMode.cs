namespace KubeProxy.Nftables;

/// <summary>How traffic from local pods is recognised (upstream detectLocalMode).</summary>
public enum LocalDetectMode
{
    /// <summary>No detector: nothing is masqueraded by source, and ETP Local has no pod short-circuit.</summary>
    None,
    ClusterCIDR,
    NodeCIDR,
    BridgeInterface,
    InterfaceNamePrefix,
}
