using System.Net;
using KubeProxy.Sources.Conversion;

namespace KubeProxy.Sources.Tests.Conversion;

public class IPTextTests
{
    [Theory]
    [InlineData("198.18.0.1", "198.18.0.1")]
    [InlineData("198.018.000.001", "198.18.0.1")] // the legacy parser reads leading zeros as decimal
    [InlineData("fd00::1", "fd00::1")]
    [InlineData("FD00:0:0::1", "fd00::1")]
    [InlineData("::ffff:198.18.0.1", "198.18.0.1")] // IPv4-mapped counts as IPv4, as Go's To4 says
    public void Accepts_what_the_API_server_accepts(string text, string expected)
    {
        Assert.True(IPText.TryParseAddress(text, out var ip));
        Assert.Equal(IPAddress.Parse(expected), ip);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("256.0.0.1")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("[fd00::1]")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fd00::1::2")]
    [InlineData("1.2.3.-4")]
    public void Refuses_what_dotnet_alone_would_let_through(string text)
    {
        Assert.False(IPText.TryParseAddress(text, out _));
    }

    [Theory]
    [InlineData("198.18.0.0/15", "198.18.0.0/15")]
    [InlineData("198.18.3.4/15", "198.18.0.0/15")]
    [InlineData("fd00::1/8", "fd00::/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("1.2.3.4/32", "1.2.3.4/32")]
    public void Cidrs_have_host_bits_cleared(string text, string expected)
    {
        Assert.True(IPText.TryParseCidr(text, out var network));
        Assert.Equal(IPNetwork.Parse(expected), network);
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("1.2.3.4/33")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.4/-1")]
    [InlineData("1.2.3.4/8/8")]
    [InlineData("fd00::/129")]
    [InlineData("/8")]
    public void Bad_cidrs_are_refused(string text)
    {
        Assert.False(IPText.TryParseCidr(text, out _));
    }
}
