namespace KubeProxy.Configuration;

/// <summary><c>iptables</c>: settings of the iptables mode (some also used by ipvs and our userspace mode).</summary>
public sealed class KubeProxyIPTablesConfiguration
{
    /// <summary><c>masqueradeBit</c>: the fwmark bit that marks packets to SNAT, 0..31 (iptables and ipvs).</summary>
    public int? MasqueradeBit { get; set; }

    /// <summary><c>masqueradeAll</c>: SNAT all traffic sent to Service cluster IPs.</summary>
    public bool MasqueradeAll { get; set; }

    /// <summary><c>localhostNodePorts</c>: allow NodePorts on 127.0.0.1 (iptables mode, IPv4 only).</summary>
    public bool? LocalhostNodePorts { get; set; }

    /// <summary><c>syncPeriod</c>: the longest interval between full re-syncs; must be above 0.</summary>
    public GoDuration SyncPeriod { get; set; }

    /// <summary><c>minSyncPeriod</c>: the shortest interval between syncs; 0 means sync on every change.</summary>
    public GoDuration MinSyncPeriod { get; set; }

    public KubeProxyIPTablesConfiguration Clone() => (KubeProxyIPTablesConfiguration)MemberwiseClone();
}
