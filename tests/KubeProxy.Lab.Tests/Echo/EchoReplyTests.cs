using System.Net;
using EchoServer;

namespace KubeProxy.Lab.Tests.Echo;

public sealed class EchoReplyTests
{
    [Theory]
    [InlineData("name=web-1 local=198.18.64.11:8080 peer=198.18.0.10:41234")]
    [InlineData("name=web-1 local=[fd00:198:18:64::11]:8080 peer=[fd00:198:19:128::10]:5000")]
    public void FormatAndParseRoundTrip(string line)
    {
        Assert.True(EchoReply.TryParse(line + "\n", out var reply));
        Assert.Equal(line, reply!.Format());
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("name=web-1 local=198.18.64.11:8080")]
    [InlineData("name=web-1 local=nonsense peer=198.18.0.10:1")]
    [InlineData("name=web-1 local=198.18.64.11:8080 peer=198.18.0.10:1 extra=1")]
    public void AnythingElseIsNotAReply(string line) => Assert.False(EchoReply.TryParse(line, out _));

    [Fact]
    public void MappedIPv4IsShownPlain()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("198.18.64.11").MapToIPv6(), 80);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.64.11"), 80), EchoReply.Normalize(mapped));
    }

    [Theory]
    [InlineData("tcp:8080", EchoTransport.Tcp, 8080)]
    [InlineData("UDP:53", EchoTransport.Udp, 53)]
    [InlineData("sctp:9000", EchoTransport.Sctp, 9000)]
    public void ListenSpecsParse(string text, EchoTransport transport, int port) =>
        Assert.Equal(new ListenSpec(transport, port), ListenSpec.Parse(text));

    [Theory]
    [InlineData("tcp")]
    [InlineData("tcp:")]
    [InlineData(":80")]
    [InlineData("tcp:0")]
    [InlineData("tcp:-1")]
    [InlineData("quic:443")]
    public void BadListenSpecsAreRefused(string text) => Assert.False(ListenSpec.TryParse(text, out _));
}
