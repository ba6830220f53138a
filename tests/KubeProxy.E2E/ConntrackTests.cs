using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;

namespace KubeProxy.E2E;

/// <summary>
/// UDP flows outlive their endpoint only if kube-proxy clears the stale conntrack entries (upstream conntrack.go
/// "should be able to preserve UDP traffic when server pod cycles for a ClusterIP / NodePort service"): a client
/// sending every 100 ms from one socket must be answered by the new endpoint soon after the old one is removed.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConntrackTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task UdpClientKeepsGettingAnswersAfterItsEndpointIsDeleted(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var nodePort = t.NewNodePort();
        var svc = t.NewService("udp", new ServicePortManifest("dns", 53, Protocol.UDP, TargetPort: 5353, NodePort: nodePort)) with
        {
            Type = ServiceType.NodePort,
        };
        await t.CreateServiceAsync(svc, t.Pod("web-3"));

        using var stop = new CancellationTokenSource();
        var viaClusterIP = SendEvery100msAsync(t.Pod("web-1"), new IPEndPoint(svc.ClusterIPs[0], 53), stop.Token);
        var viaNodePort = SendEvery100msAsync(t.Client, new IPEndPoint(t.Node("node-1").IPv4, nodePort), stop.Token);
        try
        {
            // Both flows are established on web-3 ...
            Assert.True(await viaClusterIP.AnsweredByAsync("web-3", TimeSpan.FromSeconds(10)), $"ClusterIP flow never reached web-3: {viaClusterIP}");
            Assert.True(await viaNodePort.AnsweredByAsync("web-3", TimeSpan.FromSeconds(10)), $"NodePort flow never reached web-3: {viaNodePort}");

            // ... which is deleted and replaced by web-6. Its echo server still runs, so without the conntrack
            // clean-up the flows would stay on web-3 for good.
            await t.SetEndpointsAsync(svc, t.Pod("web-6"));
            var synced = viaClusterIP.Count;
            Assert.True(await viaClusterIP.AnsweredByAsync("web-6", TimeSpan.FromSeconds(10)), $"ClusterIP flow did not move to web-6: {viaClusterIP}");
            Assert.True(await viaNodePort.AnsweredByAsync("web-6", TimeSpan.FromSeconds(10)), $"NodePort flow did not move to web-6: {viaNodePort}");

            // And it keeps answering from there.
            var moved = viaClusterIP.Count;
            Assert.True(await viaClusterIP.AnsweredByAsync("web-6", TimeSpan.FromSeconds(5), minimum: 10), $"ClusterIP flow stopped answering: {viaClusterIP}");
            t.Output.WriteLine($"ClusterIP flow: {viaClusterIP} (synced at {synced}, moved by {moved})");
            t.Output.WriteLine($"NodePort flow: {viaNodePort}");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(viaClusterIP.Task, viaNodePort.Task);
        }
    });

    private static UdpFlow SendEvery100msAsync(LabHost from, IPEndPoint target, CancellationToken stop)
    {
        var flow = new UdpFlow();
        flow.Task = flow.RunAsync(from, target, stop);
        return flow;
    }

    /// <summary>One UDP socket (one conntrack flow) sending a datagram every 100 ms and recording who answered.</summary>
    private sealed class UdpFlow
    {
        private readonly List<string> _answers = [];

        public Task Task { get; set; } = Task.CompletedTask;

        public int Count
        {
            get
            {
                lock (_answers)
                {
                    return _answers.Count;
                }
            }
        }

        public async Task RunAsync(LabHost from, IPEndPoint target, CancellationToken stop)
        {
            using var socket = await from.Namespace.RunAsync(() => new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
            await socket.ConnectAsync(target, stop);
            var buffer = new byte[512];
            while (!stop.IsCancellationRequested)
            {
                var next = Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                string answer;
                try
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes("ping\n"), SocketFlags.None, stop);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    wait.CancelAfter(TimeSpan.FromMilliseconds(90));
                    var received = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    answer = EchoReply.TryParse(Encoding.ASCII.GetString(buffer, 0, received), out var reply) ? reply!.Name : "garbage";
                }
                catch (OperationCanceledException)
                {
                    answer = "-";
                }
                catch (SocketException e)
                {
                    answer = e.SocketErrorCode.ToString();
                }

                lock (_answers)
                {
                    _answers.Add(answer);
                }

                await next;
            }
        }

        /// <summary>Waits until the last <paramref name="minimum"/> datagrams in a row were answered by <paramref name="name"/>.</summary>
        public Task<bool> AnsweredByAsync(string name, TimeSpan timeout, int minimum = 1) =>
            Poll.UntilAsync(() => Task.FromResult(LastInARow(name) >= minimum), done => done, timeout);

        private int LastInARow(string name)
        {
            lock (_answers)
            {
                var count = 0;
                for (var i = _answers.Count - 1; i >= 0 && _answers[i] == name; i--)
                {
                    count++;
                }

                return count;
            }
        }

        public override string ToString()
        {
            lock (_answers)
            {
                // Runs of the same answer: "web-3 x12, - x2, web-6 x30".
                var runs = new List<string>();
                for (var i = 0; i < _answers.Count;)
                {
                    var j = i;
                    while (j < _answers.Count && _answers[j] == _answers[i])
                    {
                        j++;
                    }

                    runs.Add($"{_answers[i]} x{j - i}");
                    i = j;
                }

                return $"{_answers.Count} datagrams: {string.Join(", ", runs)}";
            }
        }
    }
}
