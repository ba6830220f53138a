namespace EchoServer;

/// <summary>The kernel refuses SCTP sockets (no <c>CONFIG_IP_SCTP</c>, or the module is not loaded).</summary>
public sealed class SctpUnsupportedException : NotSupportedException
{
    public SctpUnsupportedException(string message)
        : base(message)
    {
    }

    public SctpUnsupportedException()
        : base("SCTP unsupported: the kernel refuses SCTP sockets")
    {
    }

    public SctpUnsupportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
