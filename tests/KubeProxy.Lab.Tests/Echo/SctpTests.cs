using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Echo;

/// <summary>
/// SCTP where the kernel allows it; on a kernel that refuses SCTP sockets (this one) the lab must say so
/// instead of pretending: listeners land in Unsupported and probes come back Unsupported.
/// </summary>
public sealed class SctpTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task SctpIsAnsweredOrReportedUnsupported()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var web1 = lab.Pod("web-1");

        var server = await web1.StartEchoAsync("tcp:8080", "sctp:9000");
        var result = await lab.Client("client").ProbeAsync(web1.IPv4, 9000, Protocol.SCTP);

        output.WriteLine(result.ToString());
        if (EchoSockets.IsSctpSupported())
        {
            Assert.Empty(server.Unsupported);
            Assert.Equal(ProbeOutcome.Answered, result.Outcome);
            Assert.Equal("web-1", result.EndpointName);
        }
        else
        {
            output.WriteLine("SCTP unsupported on this kernel: SCTP traffic NOT checked, only its clean reporting.");
            Assert.Equal([new ListenSpec(EchoTransport.Sctp, 9000)], server.Unsupported);
            Assert.Single(server.Listeners);
            Assert.Equal(ProbeOutcome.Unsupported, result.Outcome);
            Assert.Contains("SCTP unsupported", result.Detail);
        }
    }
}
