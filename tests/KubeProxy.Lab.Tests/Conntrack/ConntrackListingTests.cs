using System.Net;
using KubeProxy.Lab.Conntrack;

namespace KubeProxy.Lab.Tests.Conntrack;

public sealed class ConntrackListingTests
{
    [Fact]
    public void ReadsATcpLineWithStateAndId()
    {
        var entry = ConntrackListing.Parse(
            "tcp      6 86399 ESTABLISHED src=198.18.64.13 dst=198.19.0.73 sport=54542 dport=9000 src=198.18.64.11 dst=198.18.64.13 sport=9000 dport=54542 [ASSURED] mark=0 use=1 id=550777610");

        Assert.NotNull(entry);
        Assert.Equal("tcp", entry.Protocol);
        Assert.Equal("ESTABLISHED", entry.State);
        Assert.Equal(IPEndPoint.Parse("198.18.64.13:54542"), entry.OriginalSource);
        Assert.Equal(IPEndPoint.Parse("198.19.0.73:9000"), entry.OriginalDestination);
        Assert.Equal(IPEndPoint.Parse("198.18.64.11:9000"), entry.ReplySource);
        Assert.Equal(IPEndPoint.Parse("198.18.64.13:54542"), entry.ReplyDestination);
        Assert.Equal("550777610", entry.Id);
    }

    [Fact]
    public void ReadsAnIPv6UdpLineWithoutState()
    {
        var entry = ConntrackListing.Parse(
            "udp      17 29 src=fd00:198:18:64::13 dst=fd00:198:19::70 sport=40153 dport=53 src=fd00:198:18:64::12 dst=fd00:198:18:64::13 sport=53 dport=40153 [ASSURED] mark=0 use=1 id=7");

        Assert.NotNull(entry);
        Assert.Null(entry.State);
        Assert.Equal(IPEndPoint.Parse("[fd00:198:19::70]:53"), entry.OriginalDestination);
        Assert.Equal(IPEndPoint.Parse("[fd00:198:18:64::12]:53"), entry.ReplySource);
    }

    [Theory]
    [InlineData("")]
    [InlineData("conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.")]
    [InlineData("tcp 6 10 ESTABLISHED src=198.18.64.13 dst=198.19.0.73 sport=1 dport=2 id=3")]
    public void RejectsWhatIsNotAnEntry(string line) => Assert.Null(ConntrackListing.Parse(line));
}
