namespace KubeProxy.Lab.Probes;

public enum ProbeOutcome
{
    /// <summary>An echo server answered; the result says which one and what peer it saw.</summary>
    Answered,

    /// <summary>Actively refused: TCP RST or an ICMP unreachable (see <see cref="RejectReason"/>).</summary>
    Rejected,

    /// <summary>Nothing came back before the timeout.</summary>
    Dropped,

    /// <summary>Anything else: an unexpected answer, a connection reset after connecting, a local error.</summary>
    Error,

    /// <summary>The protocol cannot be probed here (this kernel refuses SCTP sockets).</summary>
    Unsupported,
}
