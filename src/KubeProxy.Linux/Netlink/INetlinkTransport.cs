namespace KubeProxy.Linux.Netlink;

/// <summary>
/// Datagram in, datagram out: what <see cref="NetlinkConnection"/> needs from a socket. <see cref="NetlinkSocket"/>
/// is the kernel; <see cref="FakeNetlinkTransport"/> answers from a script in unit tests.
/// </summary>
public interface INetlinkTransport : IDisposable
{
    /// <summary>The port id the kernel assigned (replies carry it).</summary>
    uint PortId { get; }

    /// <summary>Sends one datagram holding one or more messages; the kernel processes them in order.</summary>
    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Receives one datagram into <paramref name="buffer"/> and returns its length.</summary>
    /// <exception cref="NetlinkException">EAGAIN when the receive timeout passed, ENOBUFS when the kernel dropped replies.</exception>
    int Receive(Span<byte> buffer);
}
