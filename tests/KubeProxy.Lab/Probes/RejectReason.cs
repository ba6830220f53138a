namespace KubeProxy.Lab.Probes;

/// <summary>How a probe was refused, from the socket error the kernel reported.</summary>
public enum RejectReason
{
    /// <summary>TCP RST, or ICMP port unreachable (what nftables <c>reject</c> sends by default).</summary>
    ConnectionRefused,

    /// <summary>ICMP host unreachable or administratively prohibited.</summary>
    HostUnreachable,

    /// <summary>ICMP network unreachable, or no route.</summary>
    NetworkUnreachable,
}
