namespace KubeProxy.Configuration;

/// <summary><c>nftables</c>: settings of the nftables mode. There are no command-line flags for these.</summary>
public sealed class KubeProxyNFTablesConfiguration
{
    /// <summary><c>masqueradeBit</c>: the fwmark bit that marks packets to SNAT, 0..31.</summary>
    public int? MasqueradeBit { get; set; }

    /// <summary><c>masqueradeAll</c>: SNAT all traffic sent to Service cluster IPs.</summary>
    public bool MasqueradeAll { get; set; }

    /// <summary><c>syncPeriod</c>: the longest interval between full re-syncs in nftables mode.</summary>
    public GoDuration SyncPeriod { get; set; }

    /// <summary><c>minSyncPeriod</c>: the shortest interval between syncs in nftables mode.</summary>
    public GoDuration MinSyncPeriod { get; set; }

    public KubeProxyNFTablesConfiguration Clone() => (KubeProxyNFTablesConfiguration)MemberwiseClone();
}
