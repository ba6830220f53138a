using System.Net;
using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Probes;

namespace KubeProxy.Lab.Tests.Probes;

public sealed class ProbeResultTests
{
    private static ProbeResult Answered(string peer) => new()
    {
        Outcome = ProbeOutcome.Answered,
        Protocol = Protocol.TCP,
        Destination = IPEndPoint.Parse("198.19.0.10:80"),
        Source = IPEndPoint.Parse("198.19.128.10:40000"),
        Reply = new EchoReply("web-1", IPEndPoint.Parse("198.18.64.11:8080"), IPEndPoint.Parse(peer)),
    };

    [Fact]
    public void MasqueradedWhenTheServerSawAnotherAddress()
    {
        Assert.False(Answered("198.19.128.10:40000").IsMasqueraded);
        Assert.True(Answered("198.18.64.1:40000").IsMasqueraded);
        Assert.Contains("(masqueraded)", Answered("198.18.64.1:40000").ToString());
    }

    [Fact]
    public void MasqueradedWhenOnlyThePortWasRewritten() =>
        // A node masquerading its own packet out of the interface it came from keeps the address, not the port.
        Assert.True(Answered("198.19.128.10:51234").IsMasqueraded);

    [Fact]
    public void MasqueradeQuestionNeedsAnAnswer()
    {
        var dropped = Answered("198.18.64.1:1") with { Outcome = ProbeOutcome.Dropped, Reply = null };

        Assert.Throws<InvalidOperationException>(() => dropped.IsMasqueraded);
        Assert.Contains("dropped", dropped.ToString());
    }
}
