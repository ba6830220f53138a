using System.Net;
using KubeProxy.Configuration;

namespace KubeProxy.Tests.Configuration;

public class GoNetTests
{
    [Theory]
    [InlineData("198.18.0.1", "198.18.0.1")]
    [InlineData("010.000.000.001", "10.0.0.1")]
    [InlineData("fd00::1", "fd00::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:198.18.0.1", "::ffff:198.18.0.1")]
    public void Parses_addresses_like_ParseIPSloppy(string text, string expected)
    {
        Assert.True(GoNet.TryParseIP(text, out var ip));
        Assert.Equal(IPAddress.Parse(expected), ip);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10.0.0")]
    [InlineData("0x0a.0.0.1")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4 ")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[fd00::1]")]
    [InlineData("1.2.3.4:80")]
    public void Rejects_what_Go_rejects(string text) => Assert.False(GoNet.TryParseIP(text, out _));

    [Theory]
    [InlineData("198.18.0.0/15", "198.18.0.0", 15)]
    [InlineData("198.18.3.7/24", "198.18.3.0", 24)]
    [InlineData("fd00::1/64", "fd00::", 64)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    public void Parses_cidrs_masking_host_bits(string text, string address, int prefix)
    {
        Assert.True(GoNet.TryParseCidr(text, out var network));
        Assert.Equal(new IPNetwork(IPAddress.Parse(address), prefix), network);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("fd00::/129")]
    [InlineData("primary")]
    public void Rejects_bad_cidrs(string text) => Assert.False(GoNet.TryParseCidr(text, out _));

    [Theory]
    [InlineData("0.0.0.0:10256", "0.0.0.0", "10256")]
    [InlineData("[::]:10256", "::", "10256")]
    [InlineData("1.2.3.4:", "1.2.3.4", "")]
    [InlineData("host:1", "host", "1")]
    public void Splits_host_and_port(string text, string host, string port)
    {
        Assert.True(GoNet.TrySplitHostPort(text, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("fd00::1:80")]
    [InlineData("[fd00::1]")]
    [InlineData("[fd00::1]x:80")]
    public void Rejects_bad_host_port(string text) => Assert.False(GoNet.TrySplitHostPort(text, out _, out _));

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4:10256")]
    [InlineData("fd00::1", "[fd00::1]:10256")]
    [InlineData("1.2.3.4:99", "1.2.3.4:99")]
    [InlineData("nonsense", "nonsense")]
    public void Appends_the_port_only_to_a_bare_ip(string address, string expected) =>
        Assert.Equal(expected, GoNet.AppendPortIfNeeded(address, 10256));

    [Theory]
    [InlineData("14", 14)]
    [InlineData("-999", -999)]
    [InlineData("0x10", 16)]
    [InlineData("0o17", 15)]
    [InlineData("017", 15)]
    [InlineData("0b101", 5)]
    [InlineData("1_000", 1000)]
    [InlineData("-2147483648", int.MinValue)]
    public void Parses_integers_like_ParseInt_base_0(string text, long expected)
    {
        Assert.True(GoInteger.TryParse(text, 32, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("2147483648")]
    [InlineData("08")]
    [InlineData("1__0")]
    [InlineData("_1")]
    [InlineData("0x")]
    [InlineData("1.0")]
    [InlineData("")]
    public void Rejects_bad_integers(string text) => Assert.False(GoInteger.TryParse(text, 32, out _));
}
