namespace KubeProxy.Linux.Sysctl;

/// <summary>
/// The conntrack part of the kube-proxy configuration (KubeProxyConntrackConfiguration), with upstream's defaults.
/// Null or zero means "leave the kernel's value alone", as upstream treats them.
/// </summary>
public sealed record ConntrackSysctlOptions
{
    /// <summary>--conntrack-max-per-core: nf_conntrack_max = max(this × CPUs, <see cref="Min"/>). 0 leaves the limit alone.</summary>
    public int? MaxPerCore { get; init; } = 32768;

    /// <summary>--conntrack-min.</summary>
    public int? Min { get; init; } = 131072;

    /// <summary>--conntrack-tcp-timeout-established.</summary>
    public TimeSpan? TcpEstablishedTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>--conntrack-tcp-timeout-close-wait.</summary>
    public TimeSpan? TcpCloseWaitTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>--conntrack-tcp-be-liberal: only ever sets the flag, never clears it.</summary>
    public bool TcpBeLiberal { get; init; }

    /// <summary>--conntrack-udp-timeout.</summary>
    public TimeSpan UdpTimeout { get; init; }

    /// <summary>--conntrack-udp-timeout-stream.</summary>
    public TimeSpan UdpStreamTimeout { get; init; }
}
