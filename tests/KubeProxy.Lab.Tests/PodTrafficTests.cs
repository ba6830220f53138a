using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests;

/// <summary>Plain routing through the lab (no kube-proxy): every path answers and sees the true source.</summary>
public sealed class PodTrafficTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4, Protocol.TCP)]
    [InlineData(IPFamily.IPv4, Protocol.UDP)]
    [InlineData(IPFamily.IPv6, Protocol.TCP)]
    [InlineData(IPFamily.IPv6, Protocol.UDP)]
    public async Task PodToPodOnTheSameBridgeSeesThePodAddress(IPFamily family, Protocol protocol)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var (web1, web2) = (lab.Pod("web-1"), lab.Pod("web-2"));
        await web1.StartEchoAsync("tcp:8080", "udp:5353");

        var result = await web2.ProbeAsync(web1.Address(family), Port(protocol), protocol);

        output.WriteLine(result.ToString());
        Assert.Equal(ProbeOutcome.Answered, result.Outcome);
        Assert.Equal("web-1", result.EndpointName);
        Assert.Equal(new IPEndPoint(web1.Address(family), Port(protocol)), result.EndpointAddress);
        Assert.Equal(web2.Address(family), result.SeenPeer!.Address);
        Assert.False(result.IsMasqueraded);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4, Protocol.TCP)]
    [InlineData(IPFamily.IPv4, Protocol.UDP)]
    [InlineData(IPFamily.IPv6, Protocol.TCP)]
    [InlineData(IPFamily.IPv6, Protocol.UDP)]
    public async Task NodeToPodUsesTheBridgeAddress(IPFamily family, Protocol protocol)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1");
        await lab.Pod("web-1").StartEchoAsync("tcp:8080", "udp:5353");

        var result = await node.ProbeAsync(lab.Pod("web-1").Address(family), Port(protocol), protocol);

        output.WriteLine(result.ToString());
        Assert.Equal(ProbeOutcome.Answered, result.Outcome);
        Assert.Equal("web-1", result.EndpointName);
        // The node reaches its pods over kbr0, so its source is the pod gateway address, as on a CNI bridge node.
        Assert.Equal(family == IPFamily.IPv6 ? node.PodGatewayV6 : node.PodGatewayV4, result.SeenPeer!.Address);
        Assert.False(result.IsMasqueraded);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4, Protocol.TCP, "client")]
    [InlineData(IPFamily.IPv4, Protocol.UDP, "client")]
    [InlineData(IPFamily.IPv6, Protocol.TCP, "client")]
    [InlineData(IPFamily.IPv6, Protocol.UDP, "client")]
    [InlineData(IPFamily.IPv4, Protocol.TCP, "blocked")]
    [InlineData(IPFamily.IPv6, Protocol.TCP, "blocked")]
    public async Task ClientReachesPodThroughTheRouter(IPFamily family, Protocol protocol, string clientName)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var client = lab.Client(clientName);
        await lab.Pod("web-2").StartEchoAsync("tcp:8080", "udp:5353");

        var result = await client.ProbeAsync(lab.Pod("web-2").Address(family), Port(protocol), protocol);

        output.WriteLine(result.ToString());
        Assert.Equal(ProbeOutcome.Answered, result.Outcome);
        Assert.Equal("web-2", result.EndpointName);
        Assert.Equal(client.Address(family), result.SeenPeer!.Address);
        Assert.Equal(client.Address(family), result.Source!.Address);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ClientReachesAHostNetworkServerOnTheNode(IPFamily family)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1");
        await node.StartEchoAsync("tcp:30080");

        var result = await lab.Client("client").ProbeAsync(node.Address(family), 30080);

        output.WriteLine(result.ToString());
        Assert.Equal("node-1", result.EndpointName);
        Assert.Equal(new IPEndPoint(node.Address(family), 30080), result.EndpointAddress);
    }

    [RootFact]
    public async Task ProbeCanBindItsSourceAddress()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1");
        await lab.Pod("web-1").StartEchoAsync("tcp:8080");

        // The node's uplink address instead of the one routing would pick (kbr0's).
        var result = await node.ProbeAsync(lab.Pod("web-1").IPv4, 8080, source: node.IPv4);

        output.WriteLine(result.ToString());
        Assert.Equal(node.IPv4, result.Source!.Address);
        Assert.Equal(node.IPv4, result.SeenPeer!.Address);
    }

    [RootFact]
    public async Task PodsOnDifferentNodesReachEachOtherOverTheNodeNetwork()
    {
        var topology = new LabTopology().AddNode("node-1", "a-1").AddNode("node-2", "b-1").AddClient("client");
        await using var lab = await LabFixture.StartAsync(output, topology);
        var (a, b) = (lab.Pod("a-1"), lab.Pod("b-1"));
        Assert.Equal(IPAddress.Parse("198.18.65.11"), b.IPv4);
        Assert.Equal(IPAddress.Parse("198.18.0.11"), lab.Node("node-2").IPv4);
        await b.StartEchoAsync("tcp:8080", "udp:5353");

        foreach (var family in new[] { IPFamily.IPv4, IPFamily.IPv6 })
        {
            foreach (var protocol in new[] { Protocol.TCP, Protocol.UDP })
            {
                var result = await a.ProbeAsync(b.Address(family), Port(protocol), protocol);
                output.WriteLine(result.ToString());
                Assert.Equal("b-1", result.EndpointName);
                Assert.Equal(a.Address(family), result.SeenPeer!.Address);
            }
        }

        var fromClient = await lab.Client("client").ProbeAsync(b.IPv6, 8080);
        Assert.Equal("b-1", fromClient.EndpointName);
    }

    internal static int Port(Protocol protocol) => protocol == Protocol.UDP ? 5353 : 8080;
}
