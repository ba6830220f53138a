using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Conntrack;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>
/// kube-proxy's conntrack cleanup is for datagram protocols only: an established TCP connection to an endpoint
/// that was removed from its Service keeps its conntrack entry (the same kernel id) and keeps carrying data, as
/// upstream does (a TCP client notices a dead peer itself; cutting live connections on every slice change would not be safe).
/// </summary>
public sealed class TcpConntrackUntouchedTests(ITestOutputHelper output)
{
    private const int TcpPort = 9000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(8);

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task EstablishedTcpConnectionKeepsItsEntryWhenItsEndpointIsRemoved(IPFamily family)
    {
        var clusterIP = ClusterIP(family, 73);
        var svc = new ServiceManifest("mixed", "shop")
        {
            ClusterIPs = [clusterIP],
            Ports = [new("dns", 53, Protocol.UDP), new("app", TcpPort, Protocol.TCP)],
        };
        await using var lab = await StartAsync(output);
        var (pod, web1) = (lab.Lab.Pod("src-1"), lab.Lab.Pod("web-1"));
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family)));

        // A server of our own on web-1 that keeps the connection open (the echo servers answer and close).
        using var listener = await web1.Namespace.RunAsync(() => EchoSockets.Listen(new ListenSpec(EchoTransport.Tcp, TcpPort)));
        using var client = await pod.Namespace.RunAsync(() => EchoSockets.Create(EchoTransport.Tcp, clusterIP.AddressFamily));
        using var timeout = new CancellationTokenSource(Deadline);
        var accepting = listener.AcceptAsync(timeout.Token).AsTask();
        await client.ConnectAsync(new IPEndPoint(clusterIP, TcpPort), timeout.Token);
        using var server = await accepting;
        var clientEnd = EchoReply.Normalize(client.LocalEndPoint);
        Assert.Equal(clientEnd, EchoReply.Normalize(server.RemoteEndPoint));
        await ExchangeAsync(client, server, "before", timeout.Token);

        // The witness that the cleanup ran: a UDP flow through the same Service moving off web-1.
        await using var stream = await UdpStream.StartAsync(pod.Namespace, clusterIP, 53, 40173);
        await stream.WaitForAsync(0, e => e.AnsweredBy("web-1"), "answer from web-1", Deadline);

        var before = await EntryOfAsync(lab.Node.Namespace, family, clientEnd, clusterIP);
        output.WriteLine($"before: {before}");
        Assert.Equal("ESTABLISHED", before.State);
        Assert.Equal(EchoReply.Normalize(server.LocalEndPoint).Address, before.ReplySource.Address);

        var mark = stream.Mark();
        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-2", family)));
        try
        {
            await stream.WaitForAsync(mark, e => e.AnsweredBy("web-2"), "answer from web-2", Deadline);
        }
        catch
        {
            output.WriteLine($"===== kube-proxy output =====\n{lab.KubeProxy.Output}");
            throw;
        }

        // UDP was cleaned up; the TCP entry to the removed endpoint is the very same one, and still works.
        var after = await EntryOfAsync(lab.Node.Namespace, family, clientEnd, clusterIP);
        output.WriteLine($"after:  {after}");
        Assert.Equal(before.Id, after.Id);
        Assert.Equal("ESTABLISHED", after.State);
        Assert.Equal(before.ReplySource, after.ReplySource);
        using var later = new CancellationTokenSource(Deadline);
        await ExchangeAsync(client, server, "after", later.Token);
    }

    /// <summary>The node's conntrack entry of the client's connection to the ClusterIP, read with the conntrack tool.</summary>
    private static async Task<ConntrackListing> EntryOfAsync(NetworkNamespace node, IPFamily family, IPEndPoint client, IPAddress clusterIP)
    {
        var entries = await ConntrackListing.ListAsync(node, Protocol.TCP, family);
        var mine = entries.Where(e => e.OriginalSource.Equals(client) && e.OriginalDestination.Equals(new IPEndPoint(clusterIP, TcpPort))).ToList();
        Assert.True(mine.Count == 1, $"expected one TCP entry {client} -> {clusterIP}:{TcpPort}, node table:\n{string.Join('\n', entries)}");
        return mine[0];
    }

    /// <summary>One line each way over the held connection.</summary>
    private static async Task ExchangeAsync(Socket client, Socket server, string what, CancellationToken cancellationToken)
    {
        await client.SendAsync(Encoding.ASCII.GetBytes($"ping {what}\n"), SocketFlags.None, cancellationToken);
        Assert.Equal($"ping {what}\n", await ReceiveLineAsync(server, cancellationToken));
        await server.SendAsync(Encoding.ASCII.GetBytes($"pong {what}\n"), SocketFlags.None, cancellationToken);
        Assert.Equal($"pong {what}\n", await ReceiveLineAsync(client, cancellationToken));
    }

    private static async Task<string> ReceiveLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        var total = 0;
        while (total == 0 || buffer[total - 1] != (byte)'\n')
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (n == 0) break;
            total += n;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }
}
