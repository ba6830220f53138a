using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KubeProxy.Http;

/// <summary>
/// The HTTP server of one health-check node port: accepts on its addresses, reads a request head, answers with what
/// <see cref="Answer"/> gives and closes the connection. Any method and path get the same answer, as upstream's.
/// <para>
/// Not Kestrel: a cluster can have thousands of LoadBalancer Services with externalTrafficPolicy Local, each with a
/// port of its own, and a Kestrel host per port (a host, a memory pool and a heartbeat thread each) made kube-proxy
/// run 188 threads in 214 MiB at 10,000 x 10 with 166 such ports; with this, 21 threads in 192 MiB. This is a socket
/// and an accept loop per address. A request head is bounded in size (<see cref="MaxRequestHeadBytes"/>) and time
/// (<see cref="RequestTimeout"/>), so a slow or hostile client holds little; the loop never stops accepting, so idle
/// connections cannot keep a load balancer's checker out (beyond <see cref="MaxConnections"/> at once, a new
/// connection is closed at once instead of queued).
/// </para>
/// </summary>
public sealed class HealthCheckListener : IAsyncDisposable
{
    public const int MaxRequestHeadBytes = 8 * 1024;
    public const int MaxConnections = 1024;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly List<Socket> _sockets;
    private readonly Func<Answer> _answer;
    private readonly CancellationTokenSource _stop = new();
    private int _connections;
    private readonly List<Task> _loops = [];

    private HealthCheckListener(List<Socket> sockets, Func<Answer> answer)
    {
        _sockets = sockets;
        _answer = answer;
    }

    /// <summary>What a request gets: a status code, the endpoint weight header and a JSON body.</summary>
    public readonly record struct Answer(int StatusCode, int Weight, string JsonBody);

    /// <summary>Binds every address (throws <see cref="SocketException"/> when one is taken or not local, after
    /// closing the others) and starts accepting.</summary>
    public static HealthCheckListener Start(IReadOnlyList<IPEndPoint> addresses, Func<Answer> answer)
    {
        var sockets = new List<Socket>();
        try
        {
            foreach (var address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                // As Kestrel and Go's net/http: a restarted proxy rebinds a port whose old connections are in TIME_WAIT.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
                socket.Bind(address);
                socket.Listen(128);
            }
        }
        catch
        {
            foreach (var socket in sockets) socket.Dispose();
            throw;
        }
        var listener = new HealthCheckListener(sockets, answer);
        foreach (var socket in sockets) listener._loops.Add(listener.AcceptLoopAsync(socket));
        return listener;
    }

    private async Task AcceptLoopAsync(Socket listening)
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listening.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stop.IsCancellationRequested) return;
                // Out of file descriptors and the like: do not spin.
                try
                {
                    await Task.Delay(100, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                connection.Dispose();
                continue;
            }
            _ = ServeAsync(connection, stop);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken stop)
    {
        try
        {
            using (connection)
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                timeout.CancelAfter(RequestTimeout);
                var head = await ReadHeadAsync(connection, timeout.Token).ConfigureAwait(false);
                if (head is null) return;
                Answer answer;
                try
                {
                    answer = _answer();
                }
                catch (Exception)
                {
                    answer = new Answer(500, 0, "");
                }
                await connection.SendAsync(Response(answer, head.Value), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                connection.Shutdown(SocketShutdown.Send);
                // Read what the client may still send (a body, a pipelined request) until it closes: closing with
                // unread data makes the kernel reset the connection, and a reset can destroy the answer in flight.
                var drain = new byte[512];
                while (await connection.ReceiveAsync(drain, SocketFlags.None, timeout.Token).ConfigureAwait(false) > 0)
                {
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A client that went away or took too long: nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>Reads up to the blank line that ends a request head; whether the request was HEAD, or null when the
    /// client closed, sent too much or never finished.</summary>
    private static async Task<bool?> ReadHeadAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await connection.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            var searchFrom = Math.Max(0, length - 3);
            length += read;
            var seen = buffer.AsSpan(searchFrom, length - searchFrom);
            // A head ends at a blank line; bare LF line ends are accepted too, as Go's server does.
            if (seen.IndexOf("\r\n\r\n"u8) >= 0 || seen.IndexOf("\n\n"u8) >= 0) return buffer.AsSpan(0, length).StartsWith("HEAD "u8);
        }
        return null;
    }

    private static byte[] Response(Answer answer, bool headOnly)
    {
        var body = Encoding.UTF8.GetBytes(answer.JsonBody);
        var reason = answer.StatusCode switch { 200 => "OK", 503 => "Service Unavailable", _ => "Internal Server Error" };
        var head = string.Create(CultureInfo.InvariantCulture,
            $"HTTP/1.1 {answer.StatusCode} {reason}\r\nContent-Type: application/json\r\nDate: {DateTimeOffset.UtcNow:r}\r\nX-Content-Type-Options: nosniff\r\n" +
            $"X-Load-Balancing-Endpoint-Weight: {answer.Weight}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        return headOnly ? Encoding.ASCII.GetBytes(head) : [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _sockets) socket.Dispose();
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }
}
