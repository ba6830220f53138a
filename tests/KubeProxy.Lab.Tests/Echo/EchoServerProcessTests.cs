using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Processes;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Echo;

/// <summary>The echo-server executable, as scripts use it under <c>ip netns exec</c>.</summary>
public sealed class EchoServerProcessTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task AnswersTcpAndUdpOnBothFamiliesAndReportsSctp()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var web1 = lab.Pod("web-1");
        var dll = Path.Combine(Path.GetDirectoryName(typeof(EchoReply).Assembly.Location)!, "echo-server.dll");
        await using var server = LabProcess.StartIn(web1.Namespace, "echo-server", KubeProxyProcess.DotnetHost,
            [dll, "--name", "web-1", "--listen", "tcp:8080", "--listen", "udp:5353", "--listen", "sctp:9000"]);

        var ready = await server.Output.WaitForLineAsync(l => l.StartsWith("echo-server ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        output.WriteLine(ready);
        var sctp = EchoSockets.IsSctpSupported();
        Assert.Equal(
            "echo-server ready name=web-1 listen=tcp:8080,udp:5353" + (sctp ? ",sctp:9000" : " unsupported=sctp:9000"),
            ready);

        foreach (var (address, protocol, port) in new[]
        {
            (web1.IPv4, Protocol.TCP, 8080), (web1.IPv4, Protocol.UDP, 5353),
            (web1.IPv6, Protocol.TCP, 8080), (web1.IPv6, Protocol.UDP, 5353),
        })
        {
            var result = await lab.Client("client").ProbeAsync(address, port, protocol);
            output.WriteLine(result.ToString());
            Assert.Equal(ProbeOutcome.Answered, result.Outcome);
            Assert.Equal("web-1", result.EndpointName);
            Assert.Equal(lab.Client("client").Address(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPFamily.IPv6 : IPFamily.IPv4),
                result.SeenPeer!.Address);
        }

        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public void OptionsParseBothFlagForms()
    {
        var options = EchoServerOptions.Parse(["--name", "web-1", "--listen=tcp:8080", "--listen", "udp:5353"]);

        Assert.Equal("web-1", options.Name);
        Assert.Equal([new ListenSpec(EchoTransport.Tcp, 8080), new ListenSpec(EchoTransport.Udp, 5353)], options.Listens);
    }

    [Theory]
    [InlineData("--listen", "tcp:8080")]
    [InlineData("--name", "web-1")]
    [InlineData("--name", "web-1", "--listen", "icmp:1")]
    [InlineData("--name", "web-1", "--listen", "tcp:70000")]
    [InlineData("--name", "web-1", "--bogus", "x")]
    public void BadOptionsAreRefused(params string[] args) =>
        Assert.Throws<FormatException>(() => EchoServerOptions.Parse(args));
}
