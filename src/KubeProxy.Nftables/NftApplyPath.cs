namespace KubeProxy.Nftables;

/// <summary>How a sync's transaction reached the kernel.</summary>
public enum NftApplyPath
{
    None,

    /// <summary>A full sync, as one nft script (no netlink applier, or a rule the batch encoder does not know).</summary>
    NftFull,

    /// <summary>A partial sync as an nft script (no netlink applier, or a rule the batch encoder does not know).</summary>
    NftPartial,

    /// <summary>A partial sync as an nf_tables netlink batch.</summary>
    Netlink,

    /// <summary>A full sync whose Services went as an nf_tables netlink batch (the fixed part, when it had to go, as an
    /// nft script before it).</summary>
    NetlinkFull,
}
