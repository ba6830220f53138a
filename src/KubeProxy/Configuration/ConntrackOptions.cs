namespace KubeProxy.Configuration;

/// <summary>The conntrack sysctls to set at start. Zero means "leave the kernel's value".</summary>
public sealed record ConntrackOptions(
    int MaxPerCore,
    int Min,
    TimeSpan TcpEstablishedTimeout,
    TimeSpan TcpCloseWaitTimeout,
    bool TcpBeLiberal,
    TimeSpan UdpTimeout,
    TimeSpan UdpStreamTimeout);
