using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>
/// A UDP client that never changes its source port (one datagram every 100 ms, as a resolver or a game client
/// does) keeps one conntrack entry alive for as long as it sends; without kube-proxy's stale-flow cleanup that
/// entry would pin it to a removed endpoint forever. These tests keep such a client running across EndpointSlice
/// changes and check, from what the echo servers report, that it moves to the new endpoint within one sync and
/// then stays there.
/// </summary>
public sealed class UdpConntrackContinuityTests(ITestOutputHelper output)
{
    private const int SourcePort = 40153;
    private const int AnswersBefore = 5;
    private const int AnswersAfter = 10;

    /// <summary>Generous: the sync itself was already awaited; this covers the cleanup after it and a loaded machine.</summary>
    private static readonly TimeSpan SwitchDeadline = TimeSpan.FromSeconds(8);

    private static readonly TimeSpan SteadyDeadline = TimeSpan.FromSeconds(8);

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ClusterIPFlowMovesToTheNewEndpoint(IPFamily family)
    {
        var clusterIP = ClusterIP(family, 70);
        var svc = new ServiceManifest("dns", "kube-system") { ClusterIPs = [clusterIP], Ports = [new("dns", 53, Protocol.UDP)] };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family)));
        await using var stream = await UdpStream.StartAsync(lab.Lab.Pod("src-1").Namespace, clusterIP, 53, SourcePort);

        await WithHistoryAsync(lab, stream, async () =>
        {
            // Pod to ClusterIP is not masqueraded: the endpoint sees the client's own address and port throughout.
            bool Unmasqueraded(IPEndPoint peer) => peer.Equals(stream.Source);
            await stream.WaitForAsync(0, e => e.AnsweredBy("web-1"), "answer from web-1", SteadyDeadline, AnswersBefore);
            var switchMark = stream.Mark();
            AssertAnswers(stream, 0, switchMark, "web-1", Unmasqueraded, "the client's own address and port");

            await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-2", family)));
            var moved = await stream.WaitForAsync(switchMark, e => e.AnsweredBy("web-2"), "answer from web-2", SwitchDeadline);
            await stream.WaitForAsync(moved, e => e.IsAnswer, "answer", SteadyDeadline, AnswersAfter);

            // Until the cleanup the flow still reached web-1 (which is still running), never nothing; after it, only web-2.
            AssertAnswers(stream, switchMark, moved, "web-1", Unmasqueraded, "the client's own address and port");
            AssertAnswers(stream, moved, stream.Mark(), "web-2", Unmasqueraded, "the client's own address and port");
        });
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task NodePortFlowMovesToTheNewEndpoint(IPFamily family)
    {
        var clusterIP = ClusterIP(family, 71);
        var svc = new ServiceManifest("dns", "kube-system")
        {
            Type = ServiceType.NodePort,
            ClusterIPs = [clusterIP],
            Ports = [new("dns", 53, Protocol.UDP, NodePort: 30153)],
        };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family)));
        await using var stream = await UdpStream.StartAsync(lab.Lab.Client("client").Namespace, lab.Node.Address(family), 30153, SourcePort);

        await WithHistoryAsync(lab, stream, async () =>
        {
            // External traffic to a NodePort (policy Cluster) is masqueraded; one conntrack entry keeps one mapping,
            // so every answer of one flow shows the same rewritten peer.
            await stream.WaitForAsync(0, e => e.AnsweredBy("web-1"), "answer from web-1", SteadyDeadline, AnswersBefore);
            var switchMark = stream.Mark();
            var before = stream.Since(0).First(e => e.IsAnswer).Reply!.Peer;
            Assert.NotEqual(stream.Source, before);
            AssertAnswers(stream, 0, switchMark, "web-1", peer => peer.Equals(before), $"one masqueraded peer {before}");

            await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-2", family)));
            var moved = await stream.WaitForAsync(switchMark, e => e.AnsweredBy("web-2"), "answer from web-2", SwitchDeadline);
            await stream.WaitForAsync(moved, e => e.IsAnswer, "answer", SteadyDeadline, AnswersAfter);

            var after = stream.Since(moved)[0].Reply!.Peer;
            Assert.NotEqual(stream.Source, after);
            AssertAnswers(stream, switchMark, moved, "web-1", peer => peer.Equals(before), $"one masqueraded peer {before}");
            AssertAnswers(stream, moved, stream.Mark(), "web-2", peer => peer.Equals(after), $"one masqueraded peer {after}");
        });
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task FlowSurvivesScaleToZeroAndBack(IPFamily family)
    {
        var clusterIP = ClusterIP(family, 72);
        var svc = new ServiceManifest("dns", "kube-system") { ClusterIPs = [clusterIP], Ports = [new("dns", 53, Protocol.UDP)] };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family)));
        await using var stream = await UdpStream.StartAsync(lab.Lab.Pod("src-1").Namespace, clusterIP, 53, SourcePort);

        await WithHistoryAsync(lab, stream, async () =>
        {
            bool SameSourcePort(IPEndPoint peer) => peer.Equals(stream.Source);
            await stream.WaitForAsync(0, e => e.AnsweredBy("web-1"), "answer from web-1", SteadyDeadline, AnswersBefore);
            var zeroMark = stream.Mark();

            // Scaled to zero: once the entry to web-1 is gone, every datagram is a new flow that the Service's
            // no-endpoints rule rejects. ICMP errors are rate-limited by the kernel, so not every datagram gets one.
            await lab.ApplyAsync(Slice(svc, family));
            var rejected = await stream.WaitForAsync(zeroMark, e => e.IsRefused, "ICMP reject", SwitchDeadline);
            await stream.WaitForAsync(rejected, e => e.IsRefused, "ICMP reject", SteadyDeadline, 3);
            var upMark = stream.Mark();
            AssertAnswers(stream, zeroMark, rejected, "web-1", SameSourcePort, "the client's own address and port");
            var whileZero = stream.Since(rejected).Take(upMark - rejected).ToList();
            Assert.True(whileZero.All(e => e.IsRefused), $"while scaled to zero only rejections, got:\n{stream.Describe(rejected)}");

            // Back to one (new) endpoint: the same socket, the same source port, answered by web-2.
            await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-2", family)));
            var resumed = await stream.WaitForAsync(upMark, e => e.IsAnswer, "answer", SwitchDeadline);
            await stream.WaitForAsync(resumed, e => e.IsAnswer, "answer", SteadyDeadline, AnswersAfter);
            Assert.True(stream.Since(upMark).Take(resumed - upMark).All(e => e.IsRefused),
                $"before the first answer only rejections, got:\n{stream.Describe(upMark)}");
            AssertAnswers(stream, resumed, stream.Mark(), "web-2", SameSourcePort, "the client's own address and port");
        });
    }

    /// <summary>Events [<paramref name="from"/>, <paramref name="to"/>) are all answers from <paramref name="endpoint"/> with an expected peer.</summary>
    private static void AssertAnswers(UdpStream stream, int from, int to, string endpoint, Func<IPEndPoint, bool> peerOk, string peerExpected)
    {
        var events = stream.Since(from).Take(to - from).ToList();
        Assert.True(events.All(e => e.AnsweredBy(endpoint) && peerOk(e.Reply!.Peer)),
            $"events {from}..{to} of {stream} should all be answers from {endpoint} seeing {peerExpected}; history:\n{stream.Describe()}");
    }

    /// <summary>Runs the checks; on failure the output also gets the stream's history and kube-proxy's log.</summary>
    private async Task WithHistoryAsync(ProxyLab lab, UdpStream stream, Func<Task> checks)
    {
        try
        {
            await checks();
            output.WriteLine(stream.Describe());
        }
        catch
        {
            output.WriteLine($"===== {stream} =====\n{stream.Describe()}");
            output.WriteLine($"===== kube-proxy output =====\n{lab.KubeProxy.Output}");
            throw;
        }
    }
}
