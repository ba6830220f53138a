using System.Collections.Immutable;
using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Model;

/// <summary>Value semantics the change tracking relies on: equal content must compare equal.</summary>
public sealed class ModelTests
{
    [Fact]
    public void EquatableArrayComparesByContent()
    {
        EquatableArray<int> a = new[] { 1, 2, 3 };
        EquatableArray<int> b = ImmutableArray.Create(1, 2, 3);
        EquatableArray<int> c = new[] { 1, 3, 2 };

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.Equal(default(EquatableArray<int>), EquatableArray<int>.Empty);
        Assert.Empty(default(EquatableArray<int>));
        Assert.Equal("[1, 2, 3]", a.ToString());
    }

    [Fact]
    public void ServicesWithEqualContentAreEqual()
    {
        var labels1 = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web");
        var labels2 = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web");
        var a = Service() with { Labels = labels1, ExternalIPs = new[] { IP("198.19.128.1") } };
        var b = Service() with { Labels = labels2, ExternalIPs = new[] { IP("198.19.128.1") } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Labels = labels2.SetItem("app", "db") });
        Assert.NotEqual(a, b with { AffinityTimeoutSeconds = 5 });
        Assert.NotEqual(a, b with { LoadBalancerIngress = new[] { new LoadBalancerIngress(IP("198.19.200.1")) } });
    }

    [Fact]
    public void SlicesWithEqualContentAreEqual()
    {
        var a = Slice("s1", [Endpoint("198.18.64.1", zoneHints: ["zone-a"])]);
        var b = Slice("s1", [Endpoint("198.18.64.1", zoneHints: ["zone-a"])]);
        Assert.Equal(a, b);
        Assert.NotEqual(a, Slice("s1", [Endpoint("198.18.64.1", zoneHints: ["zone-b"])]));
    }

    [Fact]
    public void AnEndpointKeepsEveryAddressAndComparesThemAll()
    {
        IPAddress[] three = [IPAddress.Parse("198.18.64.1"), IPAddress.Parse("198.18.64.2"), IPAddress.Parse("198.18.64.3")];
        var ep = new Endpoint { Addresses = three };
        var same = new Endpoint { Addresses = three.Select(a => IPAddress.Parse(a.ToString())).ToArray() };
        var otherLast = new Endpoint { Addresses = new[] { three[0], three[1], IPAddress.Parse("198.18.64.9") } };
        var one = new Endpoint { Addresses = new[] { three[0] } };
        var none = new Endpoint { Addresses = EquatableArray<IPAddress>.Empty };

        Assert.Equal(three, ep.Addresses);
        Assert.Equal(three[0], ep.FirstAddress);
        Assert.Equal(ep, same);
        Assert.Equal(ep.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(ep, otherLast);
        Assert.NotEqual(ep, one);
        Assert.Equal([three[0]], one.Addresses);
        Assert.Empty(none.Addresses);
        Assert.Null(none.FirstAddress);
    }

    [Fact]
    public void NodesWithEqualContentAreEqual()
    {
        Assert.Equal(Node("zone-a", labels: ("rack", "1")), Node("zone-a", labels: ("rack", "1")));
        Assert.Equal(Node("zone-a").GetHashCode(), Node("zone-a").GetHashCode());
        Assert.NotEqual(Node("zone-a"), Node("zone-a", labels: ("rack", "1")));
        Assert.NotEqual(Node("zone-a"), Node("zone-a") with { IsToBeDeletedByClusterAutoscaler = true });
        Assert.Equal("zone-a", Node("zone-a").Zone);
        Assert.Null(Node().Zone);
    }

    [Fact]
    public void ServicePortNamePrintsAsUpstream()
    {
        Assert.Equal("ns1/svc1:p80/tcp", PortName().ToString());
        Assert.Equal("ns1/svc1/udp", PortName(port: "", protocol: Protocol.UDP).ToString());
        Assert.True(PortName("a").CompareTo(PortName("b")) < 0);
        Assert.True(PortName(protocol: Protocol.TCP).CompareTo(PortName(protocol: Protocol.UDP)) < 0);
        Assert.Equal("ns1/svc1", Svc().ToString());
    }

    [Fact]
    public void EndpointKeyBracketsIPv6()
    {
        Assert.Equal("198.18.64.1:80", new EndpointInfo { IP = IP("198.18.64.1"), Port = 80 }.Key);
        Assert.Equal("[fd00:198:18:40::1]:80", new EndpointInfo { IP = IP("fd00:198:18:40::1"), Port = 80 }.Key);
    }

    [Theory]
    [InlineData(null, Protocol.TCP, true)]
    [InlineData("", Protocol.TCP, true)]
    [InlineData("TCP", Protocol.TCP, true)]
    [InlineData("UDP", Protocol.UDP, true)]
    [InlineData("SCTP", Protocol.SCTP, true)]
    [InlineData("tcp", Protocol.TCP, false)]
    [InlineData("ICMP", Protocol.TCP, false)]
    public void ProtocolParsesExactlyWhatTheAPIAccepts(string? text, Protocol expected, bool ok)
    {
        Assert.Equal(ok, ProtocolExtensions.TryParse(text, out var protocol));
        Assert.Equal(expected, protocol);
    }

    [Fact]
    public void FamilyLabelsAreUpstreamSpelling()
    {
        Assert.Equal("IPv4", IPFamily.IPv4.Label());
        Assert.Equal("IPv6", IPFamily.IPv6.Label());
        Assert.Equal(IPFamily.IPv6, IPAddress.Parse("fd00::1").Family());
        Assert.Equal(IPFamily.IPv4, Cidr("198.18.0.0/15").Family());
    }
}
