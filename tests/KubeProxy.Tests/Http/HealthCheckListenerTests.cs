using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeProxy.Http;

namespace KubeProxy.Tests.Http;

/// <summary>The hand-written responder behind health-check node ports, at the socket level: what a load balancer's
/// checker sees, and what a client that misbehaves gets.</summary>
public sealed class HealthCheckListenerTests
{
    private static readonly HealthCheckListener.Answer Healthy = new(200, 3, "{\"localEndpoints\":3}");

    [Fact]
    public async Task Answers_a_plain_request_with_headers_and_body_then_closes()
    {
        var (port, listener) = StartOnLoopback(() => Healthy);
        await using var _ = listener;

        var response = await ExchangeAsync(port, "GET /any/path HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/json\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Content-Type-Options: nosniff\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Load-Balancing-Endpoint-Weight: 3\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 20\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"localEndpoints\":3}", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_request_gets_the_headers_without_the_body()
    {
        var (port, listener) = StartOnLoopback(() => new(503, 0, "{}"));
        await using var _ = listener;

        var response = await ExchangeAsync(port, "HEAD / HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", response, StringComparison.Ordinal);
        Assert.EndsWith("Connection: close\r\n\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_head_split_over_several_sends_is_answered()
    {
        var (port, listener) = StartOnLoopback(() => Healthy);
        await using var _ = listener;
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        foreach (var part in new[] { "GET / HTTP/1.1\r", "\nHost: x\r\n\r", "\n" })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(part));
            await stream.FlushAsync();
        }
        Assert.StartsWith("HTTP/1.1 200 OK", await ReadToEndAsync(stream), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_with_bare_line_feeds_is_answered_with_a_date()
    {
        var (port, listener) = StartOnLoopback(() => Healthy);
        await using var _ = listener;

        var response = await ExchangeAsync(port, "GET / HTTP/1.0\n\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Matches("\r\nDate: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n", response);
    }

    [Fact]
    public async Task Idle_connections_do_not_keep_a_checker_out()
    {
        var (port, listener) = StartOnLoopback(() => Healthy);
        await using var _ = listener;
        var idle = new List<TcpClient>();
        try
        {
            // More idle connections than a small cap would allow, each sending half a request and then nothing.
            for (var i = 0; i < 100; i++)
            {
                var client = new TcpClient();
                idle.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, port);
                await client.GetStream().WriteAsync("GET / HTTP/1.1\r\n"u8.ToArray());
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var answer = await ExchangeAsync(port, "GET / HTTP/1.1\r\n\r\n").WaitAsync(timeout.Token);
            Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var client in idle) client.Dispose();
        }
    }

    [Fact]
    public async Task An_oversized_request_head_is_closed_without_an_answer()
    {
        var (port, listener) = StartOnLoopback(() => Healthy);
        await using var _ = listener;

        var response = await ExchangeAsync(port, "GET / HTTP/1.1\r\nX-Filler: " + new string('a', HealthCheckListener.MaxRequestHeadBytes) + "\r\n\r\n");

        Assert.Equal("", response);
        // And the listener still serves the next client.
        Assert.StartsWith("HTTP/1.1 200 OK", await ExchangeAsync(port, "GET / HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_port_throws_and_leaves_nothing_bound_and_a_closed_port_can_be_bound_again()
    {
        var taken = FreePort.Next();
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, taken));
        holder.Listen();

        // The IPv6 loopback is bound first and must be released when the IPv4 one fails.
        Assert.Throws<SocketException>(() => HealthCheckListener.Start(
            [new IPEndPoint(IPAddress.IPv6Loopback, taken), new IPEndPoint(IPAddress.Loopback, taken)], () => Healthy));
        using (var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, taken));
        }

        var port = FreePort.Next();
        var first = HealthCheckListener.Start([new IPEndPoint(IPAddress.Loopback, port)], () => Healthy);
        Assert.StartsWith("HTTP/1.1 200 OK", await ExchangeAsync(port, "GET / HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
        await first.DisposeAsync();
        Assert.True(await FreePort.IsClosedAsync(port));
        await using var second = HealthCheckListener.Start([new IPEndPoint(IPAddress.Loopback, port)], () => Healthy);
        Assert.StartsWith("HTTP/1.1 200 OK", await ExchangeAsync(port, "GET / HTTP/1.1\r\n\r\n"), StringComparison.Ordinal);
    }

    /// <summary>A listener on a free loopback port.</summary>
    private static (int Port, HealthCheckListener Listener) StartOnLoopback(Func<HealthCheckListener.Answer> answer)
    {
        var port = FreePort.Next();
        return (port, HealthCheckListener.Start([new IPEndPoint(IPAddress.Loopback, port)], answer));
    }

    private static async Task<string> ExchangeAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        }
        catch (IOException)
        {
            // The listener may close an oversized request before it was all sent.
        }
        return await ReadToEndAsync(stream);
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0) received.Write(buffer, 0, read);
        }
        catch (IOException)
        {
            // A reset after an unread oversized request: what arrived before it is the answer.
        }
        return Encoding.ASCII.GetString(received.ToArray());
    }
}
