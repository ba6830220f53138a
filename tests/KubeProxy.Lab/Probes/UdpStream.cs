using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoServer;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.Probes;

/// <summary>
/// A long-lived UDP "client" inside a namespace: one socket bound to one fixed source port, sending a datagram
/// every <see cref="Interval"/> and recording every answer (which echo server, the peer it saw) and every
/// ICMP rejection, in arrival order. One source port for the whole run is what keeps one conntrack entry
/// alive, the way a DNS resolver or a game client does; tests use it to watch a flow across Service changes.
/// Waits poll <see cref="Events"/> with a deadline; the send cadence is the behaviour under test, not a sleep.
/// </summary>
public sealed class UdpStream : IAsyncDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<UdpStreamEvent> _events = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly long _started;
    private Task _sender = Task.CompletedTask;
    private Task _receiver = Task.CompletedTask;
    private long _sent;

    private UdpStream(Socket socket, IPEndPoint source, IPEndPoint destination, TimeSpan interval)
    {
        _socket = socket;
        Source = source;
        Destination = destination;
        Interval = interval;
        _started = _time.GetTimestamp();
    }

    /// <summary>The stream's own address and port (fixed for its whole life).</summary>
    public IPEndPoint Source { get; }

    public IPEndPoint Destination { get; }

    public TimeSpan Interval { get; }

    /// <summary>Datagrams sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>A copy of everything seen so far, in arrival order.</summary>
    public IReadOnlyList<UdpStreamEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>
    /// Starts sending from <paramref name="from"/> to <paramref name="destination"/>:<paramref name="port"/> out of
    /// <paramref name="sourcePort"/>, and listening for answers.
    /// </summary>
    public static async Task<UdpStream> StartAsync(NetworkNamespace from, IPAddress destination, int port, int sourcePort, TimeSpan? interval = null)
    {
        // The socket's namespace is fixed at creation: create it on the namespace's thread, use it from anywhere.
        var socket = await from.RunAsync(() => EchoSockets.Create(EchoTransport.Udp, destination.AddressFamily));
        try
        {
            var any = destination.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            socket.Bind(new IPEndPoint(any, sourcePort));
            // Connected: the kernel picks the source address once, and reports ICMP unreachables to this socket.
            await socket.ConnectAsync(new IPEndPoint(destination, port));
            var stream = new UdpStream(socket, EchoReply.Normalize(socket.LocalEndPoint), new IPEndPoint(destination, port), interval ?? DefaultInterval);
            stream._receiver = Task.Run(stream.ReceiveAsync);
            stream._sender = Task.Run(stream.SendAsync);
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The number of events so far: a mark to pass to <see cref="WaitForAsync"/> and <see cref="Since"/>.</summary>
    public int Mark()
    {
        lock (_lock)
        {
            return _events.Count;
        }
    }

    /// <summary>The events from index <paramref name="mark"/> on.</summary>
    public IReadOnlyList<UdpStreamEvent> Since(int mark)
    {
        lock (_lock)
        {
            return _events.Skip(mark).ToList();
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> events at or after index <paramref name="mark"/> match
    /// <paramref name="match"/>; returns the index of the first of them. Throws a <see cref="TimeoutException"/>
    /// with the stream's history when the deadline passes first.
    /// </summary>
    public async Task<int> WaitForAsync(int mark, Func<UdpStreamEvent, bool> match, string what, TimeSpan timeout, int count = 1)
    {
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var first = -1;
            var found = 0;
            lock (_lock)
            {
                for (var i = mark; i < _events.Count && found < count; i++)
                {
                    if (!match(_events[i])) continue;
                    if (found++ == 0) first = i;
                }
            }

            if (found >= count) return first;
            if (_time.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{this}: no {count}× '{what}' within {timeout.TotalSeconds:F1} s after event {mark}; history:\n{Describe()}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>The history compressed into runs ("12× answered by web-1 ..."), for assertion messages.</summary>
    public string Describe(int from = 0)
    {
        var lines = new List<string>();
        string? current = null;
        var run = 0;
        double runStart = 0;
        foreach (var e in Since(from))
        {
            var text = e.ToString();
            if (text == current)
            {
                run++;
                continue;
            }

            if (current is not null) lines.Add($"  +{runStart:F2}s {run}× {current}");
            (current, run, runStart) = (text, 1, e.Offset.TotalSeconds);
        }

        if (current is not null) lines.Add($"  +{runStart:F2}s {run}× {current}");
        return $"{Sent} sent, {Mark()} events from event {from}:\n{string.Join('\n', lines)}";
    }

    public override string ToString() => $"udp stream {Source} -> {Destination}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await Task.WhenAll(_sender, _receiver);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping: the loops end on cancellation or on the closed socket.
        }

        _stop.Dispose();
    }

    private async Task SendAsync()
    {
        using var timer = new PeriodicTimer(Interval, _time);
        long sequence = 0;
        do
        {
            try
            {
                await _socket.SendAsync(Encoding.ASCII.GetBytes($"kpl-stream {sequence++}\n"), SocketFlags.None, _stop.Token);
                Interlocked.Increment(ref _sent);
            }
            catch (SocketException e)
            {
                // A pending ICMP error is reported on whichever call comes next, send or receive.
                Record(null, e.SocketErrorCode);
            }
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                var text = Encoding.ASCII.GetString(buffer, 0, received);
                Record(EchoReply.TryParse(text, out var reply) ? reply : null, null, text);
            }
            catch (SocketException e) when (!_stop.IsCancellationRequested)
            {
                Record(null, e.SocketErrorCode);
            }
        }
    }

    private void Record(EchoReply? reply, SocketError? error, string? unparsed = null)
    {
        var offset = _time.GetElapsedTime(_started);
        lock (_lock)
        {
            _events.Add(new UdpStreamEvent(offset, reply, error, reply is null ? unparsed : null));
        }
    }
}
