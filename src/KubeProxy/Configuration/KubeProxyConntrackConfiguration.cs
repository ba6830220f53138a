namespace KubeProxy.Configuration;

/// <summary><c>conntrack</c>: the conntrack sysctls kube-proxy sets at start.</summary>
public sealed class KubeProxyConntrackConfiguration
{
    /// <summary><c>maxPerCore</c>: nf_conntrack_max per CPU; 0 leaves the limit (and ignores min).</summary>
    public int? MaxPerCore { get; set; }

    /// <summary><c>min</c>: the lowest nf_conntrack_max to set, whatever maxPerCore gives.</summary>
    public int? Min { get; set; }

    /// <summary><c>tcpEstablishedTimeout</c>: idle timeout of established TCP entries; 0 leaves it.</summary>
    public GoDuration? TcpEstablishedTimeout { get; set; }

    /// <summary><c>tcpCloseWaitTimeout</c>: timeout of CLOSE_WAIT TCP entries; 0 leaves it.</summary>
    public GoDuration? TcpCloseWaitTimeout { get; set; }

    /// <summary><c>tcpBeLiberal</c>: set nf_conntrack_tcp_be_liberal so out-of-window packets are not INVALID.</summary>
    public bool TcpBeLiberal { get; set; }

    /// <summary><c>udpTimeout</c>: timeout of UNREPLIED UDP entries; 0 leaves it.</summary>
    public GoDuration UdpTimeout { get; set; }

    /// <summary><c>udpStreamTimeout</c>: timeout of ASSURED UDP entries; 0 leaves it.</summary>
    public GoDuration UdpStreamTimeout { get; set; }

    public KubeProxyConntrackConfiguration Clone() => (KubeProxyConntrackConfiguration)MemberwiseClone();
}
