using System.Net.Sockets;
using EchoServer;

namespace KubeProxy.Lab.Probes;

/// <summary>
/// One thing a <see cref="UdpStream"/> saw, <see cref="Offset"/> after it started: an echo server's answer, a socket
/// error (ICMP port unreachable shows as <see cref="SocketError.ConnectionRefused"/>), or an answer it could not parse.
/// </summary>
public sealed record UdpStreamEvent(TimeSpan Offset, EchoReply? Reply, SocketError? Error, string? Unexpected)
{
    public bool IsAnswer => Reply is not null;

    /// <summary>An ICMP port unreachable came back: what nftables <c>reject</c> sends for a Service without endpoints.</summary>
    public bool IsRefused => Error == SocketError.ConnectionRefused;

    public bool AnsweredBy(string name) => Reply?.Name == name;

    public override string ToString() =>
        Reply is not null ? $"answered by {Reply.Name} at {Reply.Local}, peer seen {Reply.Peer}"
        : IsRefused ? "refused (ICMP unreachable)"
        : Error is { } error ? $"socket error {error}"
        : $"unexpected answer '{Unexpected?.Trim()}'";
}
