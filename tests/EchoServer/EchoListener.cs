using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EchoServer;

/// <summary>
/// Answers on one bound socket until disposed: a stream transport (TCP, SCTP) writes one reply line per
/// connection and closes it; UDP answers every datagram with one reply datagram.
/// </summary>
public sealed class EchoListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _answered;

    private EchoListener(string name, ListenSpec spec, Socket socket, ILogger logger)
    {
        Name = name;
        Spec = spec;
        _socket = socket;
        _logger = logger;
        LocalEndPoint = EchoReply.Normalize(socket.LocalEndPoint);
        _loop = spec.Transport == EchoTransport.Udp ? Task.Run(AnswerDatagramsAsync) : Task.Run(AcceptAsync);
    }

    public string Name { get; }

    public ListenSpec Spec { get; }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>How many connections or datagrams were answered so far.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Starts answering on <paramref name="socket"/>, which must be bound (and listening for streams).</summary>
    public static EchoListener Start(string name, ListenSpec spec, Socket socket, ILogger? logger = null) =>
        new(name, spec, socket, logger ?? NullLogger.Instance);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (_stop.IsCancellationRequested || e is ObjectDisposedException)
            {
                return;
            }

            _ = AnswerConnectionAsync(connection);
        }
    }

    private async Task AnswerConnectionAsync(Socket connection)
    {
        using (connection)
        {
            EndPoint? peer = null;
            try
            {
                peer = connection.RemoteEndPoint;
                var reply = new EchoReply(Name, EchoReply.Normalize(connection.LocalEndPoint), EchoReply.Normalize(peer));
                await connection.SendAsync(Encoding.ASCII.GetBytes(reply.Format() + "\n"), SocketFlags.None, _stop.Token);
                connection.Shutdown(SocketShutdown.Both);
                Interlocked.Increment(ref _answered);
                EchoLog.Answered(_logger, Spec.Transport, reply);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer went away first (a probe that timed out): nothing to answer.
                EchoLog.ExchangeFailed(_logger, Spec.Transport, peer, e);
            }
        }
    }

    private async Task AnswerDatagramsAsync()
    {
        // ReceiveMessageFrom turns on packet info: with a wildcard bind it is the only way to report "local"
        // truthfully (the address the datagram was sent to, e.g. the pod IP behind a DNAT).
        var buffer = new byte[65536];
        var any = new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (_stop.IsCancellationRequested || e is ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // An ICMP error for an earlier reply surfaces here on Linux; keep serving.
                EchoLog.ReceiveFailed(_logger, e);
                continue;
            }

            var peer = EchoReply.Normalize(received.RemoteEndPoint);
            var local = new IPEndPoint(EchoReply.Normalize(received.PacketInformation.Address), LocalEndPoint.Port);
            var reply = new EchoReply(Name, local, peer);
            try
            {
                await _socket.SendToAsync(Encoding.ASCII.GetBytes(reply.Format() + "\n"), SocketFlags.None,
                    received.RemoteEndPoint, _stop.Token);
                Interlocked.Increment(ref _answered);
                EchoLog.Answered(_logger, EchoTransport.Udp, reply);
            }
            catch (Exception e) when (_stop.IsCancellationRequested || e is ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                EchoLog.ExchangeFailed(_logger, EchoTransport.Udp, peer, e);
            }
        }
    }
}
