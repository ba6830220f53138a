namespace KubeProxy.Linux.Netlink;

public sealed record NetlinkSocketOptions
{
    public static NetlinkSocketOptions Default { get; } = new();

    /// <summary>Open the socket inside this network namespace (for example /run/netns/NAME); null means our own.</summary>
    public string? NetworkNamespacePath { get; init; }

    /// <summary>
    /// Large enough for the error replies of a whole batch: the kernel drops (ENOBUFS) what does not fit and a lost
    /// final ACK would leave us waiting. Root may exceed net.core.rmem_max (SO_RCVBUFFORCE).
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 4 * 1024 * 1024;

    public int SendBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>A kernel that never answers is a bug; fail the call instead of hanging the sync loop.</summary>
    public TimeSpan ReceiveTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
