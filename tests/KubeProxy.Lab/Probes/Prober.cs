using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.Probes;

/// <summary>
/// Sends one connection (TCP, SCTP) or datagram (UDP) from inside a namespace and classifies what came back.
/// The socket is created on the namespace's thread and then used asynchronously, so a probe costs no process.
/// </summary>
public static class Prober
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    private const int MaxReply = 4096;

    /// <summary>
    /// Probes <paramref name="destination"/>:<paramref name="port"/> from <paramref name="from"/>, optionally binding
    /// the source address (and port) first. Never throws for network outcomes; those are in the result.
    /// </summary>
    public static async Task<ProbeResult> ProbeAsync(
        NetworkNamespace from,
        IPAddress destination,
        int port,
        Protocol protocol = Protocol.TCP,
        IPAddress? source = null,
        TimeSpan? timeout = null,
        int sourcePort = 0,
        CancellationToken cancellationToken = default)
    {
        var target = new IPEndPoint(destination, port);
        var limit = timeout ?? DefaultTimeout;
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        ProbeResult Result(ProbeOutcome outcome, IPEndPoint? local, EchoReply? reply = null, RejectReason? reason = null, string? detail = null) =>
            new()
            {
                Outcome = outcome,
                Protocol = protocol,
                Destination = target,
                Source = local,
                Reply = reply,
                RejectReason = reason,
                Detail = detail,
                Elapsed = time.GetElapsedTime(started),
            };

        Socket socket;
        try
        {
            socket = await from.RunAsync(() => EchoSockets.Create(ToTransport(protocol), destination.AddressFamily));
        }
        catch (SctpUnsupportedException e)
        {
            return Result(ProbeOutcome.Unsupported, null, detail: e.Message);
        }

        using (socket)
        {
            var connected = false;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            try
            {
                if (source is not null || sourcePort != 0)
                {
                    // A fixed source port lets a test send the "same" UDP flow twice (conntrack reuse).
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    var any = destination.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                    socket.Bind(new IPEndPoint(source ?? any, sourcePort));
                }

                await socket.ConnectAsync(target, deadline.Token);
                connected = true;
                var answer = protocol == Protocol.UDP
                    ? await ExchangeDatagramAsync(socket, deadline.Token)
                    : await ReadToEndAsync(socket, deadline.Token);
                var local = LocalOf(socket);
                return EchoReply.TryParse(answer, out var reply)
                    ? Result(ProbeOutcome.Answered, local, reply)
                    : Result(ProbeOutcome.Error, local, detail: $"unexpected answer '{answer.Trim()}'");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A stream that connected but never answered is not a drop: something other than an echo server is there.
                return connected && protocol != Protocol.UDP
                    ? Result(ProbeOutcome.Error, LocalOf(socket), detail: $"connected but no answer within {limit}")
                    : Result(ProbeOutcome.Dropped, LocalOf(socket));
            }
            catch (SocketException e)
            {
                return Classify(e, connected && protocol != Protocol.UDP) is { } reason
                    ? Result(ProbeOutcome.Rejected, LocalOf(socket), reason: reason, detail: e.Message)
                    : e.SocketErrorCode == SocketError.TimedOut
                        ? Result(ProbeOutcome.Dropped, LocalOf(socket))
                        : Result(ProbeOutcome.Error, LocalOf(socket), detail: $"{e.SocketErrorCode}: {e.Message}");
            }
        }
    }

    internal static EchoTransport ToTransport(Protocol protocol) => protocol switch
    {
        Protocol.TCP => EchoTransport.Tcp,
        Protocol.UDP => EchoTransport.Udp,
        Protocol.SCTP => EchoTransport.Sctp,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    private static RejectReason? Classify(SocketException e, bool afterConnect) => afterConnect ? null : e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => RejectReason.ConnectionRefused,
        SocketError.HostUnreachable => RejectReason.HostUnreachable,
        SocketError.NetworkUnreachable => RejectReason.NetworkUnreachable,
        _ => null,
    };

    private static async Task<string> ExchangeDatagramAsync(Socket socket, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes("kpl-probe\n"), SocketFlags.None, cancellationToken);
        var buffer = new byte[MaxReply];
        // A connected UDP socket reports an ICMP unreachable for its peer as an error on this receive.
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        return Encoding.ASCII.GetString(buffer, 0, received);
    }

    private static async Task<string> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxReply];
        var total = 0;
        while (total < buffer.Length)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                break;
            }

            total += received;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }

    private static IPEndPoint? LocalOf(Socket socket)
    {
        try
        {
            return socket.LocalEndPoint is null ? null : EchoReply.Normalize(socket.LocalEndPoint);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return null;
        }
    }
}
