namespace KubeProxy.Configuration;

/// <summary><c>ipvs</c>: settings of the ipvs mode.</summary>
public sealed class KubeProxyIPVSConfiguration
{
    /// <summary><c>syncPeriod</c>: the longest interval between full re-syncs in ipvs mode.</summary>
    public GoDuration SyncPeriod { get; set; }

    /// <summary><c>minSyncPeriod</c>: the shortest interval between syncs in ipvs mode.</summary>
    public GoDuration MinSyncPeriod { get; set; }

    /// <summary><c>scheduler</c>: the IPVS scheduler (empty means round robin).</summary>
    public string Scheduler { get; set; } = string.Empty;

    /// <summary><c>excludeCIDRs</c>: IPVS services in these ranges are left alone by cleanup.</summary>
    public List<string>? ExcludeCIDRs { get; set; }

    /// <summary><c>strictARP</c>: set arp_ignore/arp_announce so kube-ipvs0 addresses are not answered.</summary>
    public bool StrictARP { get; set; }

    /// <summary><c>tcpTimeout</c>: idle timeout of IPVS TCP sessions, 0 keeps the system value.</summary>
    public GoDuration TcpTimeout { get; set; }

    /// <summary><c>tcpFinTimeout</c>: timeout of IPVS TCP sessions after a FIN, 0 keeps the system value.</summary>
    public GoDuration TcpFinTimeout { get; set; }

    /// <summary><c>udpTimeout</c>: timeout of IPVS UDP sessions, 0 keeps the system value.</summary>
    public GoDuration UdpTimeout { get; set; }

    public KubeProxyIPVSConfiguration Clone()
    {
        var copy = (KubeProxyIPVSConfiguration)MemberwiseClone();
        copy.ExcludeCIDRs = ExcludeCIDRs is null ? null : [.. ExcludeCIDRs];
        return copy;
    }
}
