namespace KubeProxy.Linux.Netlink;

/// <summary>A netlink request the kernel refused, or a socket call that failed; carries the errno and its name.</summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno, string? kernelMessage = null)
        : base(Format(operation, errno, kernelMessage))
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = message;
    }

    public NetlinkException()
        : this("netlink", 0)
    {
    }

    public NetlinkException(string message)
        : this(message, 0)
    {
    }

    /// <summary>What was being done ("send", "recv", "conntrack delete").</summary>
    public string Operation { get; }

    /// <summary>The positive errno value (the kernel sends it negated).</summary>
    public int Errno { get; }

    /// <summary>The ErrnoName, for example "ENOENT".</summary>
    public string ErrnoName => Netlink.Errno.Name(Errno);

    /// <summary>The extended-ACK message the kernel attached, if any.</summary>
    public string? KernelMessage { get; }

    private static string Format(string operation, int errno, string? kernelMessage)
    {
        if (errno == 0) return operation;
        var text = $"{operation}: {Netlink.Errno.Name(errno)} ({Netlink.Errno.Describe(errno)})";
        return kernelMessage is null ? text : $"{text}: {kernelMessage}";
    }
}
