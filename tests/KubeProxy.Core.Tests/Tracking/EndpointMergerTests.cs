using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Tracking;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Tracking;

/// <summary>Merging a Service's EndpointSlices, modelled on upstream endpointslicecache_test.go.</summary>
public sealed class EndpointMergerTests
{
    private static Dictionary<ServicePortName, List<EndpointInfo>> Merge(
        IEnumerable<EndpointSlice> slices, IPFamily family = IPFamily.IPv4, Action<EndpointSlice, Endpoint>? onWrongFamily = null) =>
        EndpointMerger.Merge(Svc(), slices, family, NodeName, onWrongFamily);

    private static IEnumerable<string> Keys(Dictionary<ServicePortName, List<EndpointInfo>> merged, string port = "p80", Protocol protocol = Protocol.TCP) =>
        merged[PortName(port: port, protocol: protocol)].Select(e => e.Key);

    [Fact]
    public void OneSliceTwoPortsGivesOneListPerPortWithLocality()
    {
        var slice = Slice("svc1-abc",
            [Endpoint("198.18.64.1", node: "node-b"), Endpoint("198.18.64.2", node: NodeName), Endpoint("198.18.64.3")],
            ports: [new EndpointPort("p80", Protocol.TCP, 80), new EndpointPort("p443", Protocol.TCP, 443)]);

        var merged = Merge([slice]);

        Assert.Equal(2, merged.Count);
        Assert.Equal(["198.18.64.1:80", "198.18.64.2:80", "198.18.64.3:80"], Keys(merged));
        Assert.Equal(["198.18.64.1:443", "198.18.64.2:443", "198.18.64.3:443"], Keys(merged, "p443"));
        Assert.Equal([false, true, false], merged[PortName()].Select(e => e.IsLocal));
        Assert.All(merged.Values.SelectMany(l => l), e => Assert.True(e.Ready && e.Serving && !e.Terminating));
    }

    [Fact]
    public void SlicesOfOnePortAreUnited()
    {
        var merged = Merge(
        [
            Slice("s1", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")], ports: [new EndpointPort("p80", Protocol.TCP, 80)]),
            Slice("s2", [Endpoint("198.18.65.1"), Endpoint("198.18.65.2")], ports: [new EndpointPort("p80", Protocol.TCP, 80)]),
        ]);
        Assert.Equal(["198.18.64.1:80", "198.18.64.2:80", "198.18.65.1:80", "198.18.65.2:80"], Keys(merged));
    }

    [Fact]
    public void OverlappingSlicesKeepEachEndpointOnce()
    {
        var merged = Merge(
        [
            Slice("s1", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")]),
            Slice("s2", [Endpoint("198.18.64.2"), Endpoint("198.18.64.3")]),
        ]);
        Assert.Equal(["198.18.64.1:8080", "198.18.64.2:8080", "198.18.64.3:8080"], Keys(merged));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DuplicateIPPortKeepsTheLocalCopyWhicheverSliceComesFirst(bool localFirst)
    {
        var local = Slice("s-local", [Endpoint("198.18.64.1", node: NodeName, ready: false, serving: true, terminating: true)]);
        var remote = Slice("s-remote", [Endpoint("198.18.64.1", node: "node-b")]);

        var merged = Merge(localFirst ? [local, remote] : [remote, local]);

        var ep = Assert.Single(merged[PortName()]);
        Assert.True(ep.IsLocal);
        Assert.False(ep.Ready);
        Assert.True(ep.Terminating);
    }

    [Fact]
    public void SameIPOnDifferentPortsIsNotDeduplicated()
    {
        var merged = Merge(
        [
            Slice("s1", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2", node: NodeName)], ports: [new EndpointPort("p80", Protocol.TCP, 80)]),
            Slice("s2", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2", node: NodeName)], ports: [new EndpointPort("p80", Protocol.TCP, 8080)]),
        ]);
        Assert.Equal(["198.18.64.1:80", "198.18.64.1:8080", "198.18.64.2:80", "198.18.64.2:8080"], Keys(merged));
    }

    [Fact]
    public void OnlyTheFirstAddressOfAnEndpointCounts()
    {
        var merged = Merge([Slice("s1", [Endpoint("198.18.64.1", extraAddresses: ["198.18.64.99", "198.18.64.98"])])]);
        Assert.Equal(["198.18.64.1:8080"], Keys(merged));
    }

    [Fact]
    public void EndpointWithoutAddressesIsIgnored()
    {
        var empty = new Endpoint { Addresses = EquatableArray<System.Net.IPAddress>.Empty };
        var merged = Merge([Slice("s1", [empty, Endpoint("198.18.64.1")])]);
        Assert.Equal(["198.18.64.1:8080"], Keys(merged));
    }

    [Fact]
    public void WrongFamilyEndpointIsIgnoredAndReported()
    {
        var reported = new List<(string Slice, string Address)>();
        var slice = Slice("s1", [Endpoint("fd00:198:18:40::1"), Endpoint("198.18.64.1")]);

        var merged = Merge([slice], onWrongFamily: (s, e) => reported.Add((s.Name.ToString(), e.Addresses[0].ToString())));

        Assert.Equal(["198.18.64.1:8080"], Keys(merged));
        Assert.Equal([("ns1/s1", "fd00:198:18:40::1")], reported);
    }

    [Fact]
    public void WrongFamilyIsJudgedOnTheFirstAddressOnly()
    {
        var reported = 0;
        var merged = Merge([Slice("s1", [Endpoint("fd00:198:18:40::1", extraAddresses: ["198.18.64.1"])])], onWrongFamily: (_, _) => reported++);
        Assert.Empty(merged[PortName()]);
        Assert.Equal(1, reported);
    }

    [Fact]
    public void SlicesOfTheOtherAddressTypeAreSkippedSilently()
    {
        var reported = 0;
        var merged = Merge(
            [Slice("s6", [Endpoint("fd00:198:18:40::1")], family: IPFamily.IPv6), Slice("s4", [Endpoint("198.18.64.1")])],
            IPFamily.IPv4,
            (_, _) => reported++);
        Assert.Equal(["198.18.64.1:8080"], Keys(merged));
        Assert.Equal(0, reported);
    }

    [Fact]
    public void PortsWithoutANumberAreIgnored()
    {
        var merged = Merge([Slice("s1", [Endpoint("198.18.64.1")], ports: [new EndpointPort("p80", Protocol.TCP, null), new EndpointPort("zero", Protocol.TCP, 0)])]);
        Assert.Empty(merged);
    }

    [Fact]
    public void PortsAreKeyedByNameAndProtocol()
    {
        var merged = Merge([Slice("s1", [Endpoint("198.18.64.1")],
            ports: [new EndpointPort("dns", Protocol.UDP, 53), new EndpointPort("dns", Protocol.TCP, 5353), new EndpointPort("", Protocol.SCTP, 9)])]);
        Assert.Equal(["198.18.64.1:53"], Keys(merged, "dns", Protocol.UDP));
        Assert.Equal(["198.18.64.1:5353"], Keys(merged, "dns", Protocol.TCP));
        Assert.Equal(["198.18.64.1:9"], Keys(merged, "", Protocol.SCTP));
    }

    [Fact]
    public void ResultIsSortedByTheIPPortString()
    {
        // Upstream sorts by the "IP:port" string, so 198.18.64.10 comes before 198.18.64.9 and before 198.18.64.1:80.
        var merged = Merge([Slice("s1", new[] { "198.18.64.9", "198.18.64.10", "198.18.64.1", "198.18.64.100", "198.18.63.200" }.Select(a => Endpoint(a)),
            ports: [new EndpointPort("p80", Protocol.TCP, 80)])]);
        Assert.Equal(["198.18.63.200:80", "198.18.64.100:80", "198.18.64.10:80", "198.18.64.1:80", "198.18.64.9:80"], Keys(merged));
    }

    [Fact]
    public void IPv6ResultIsSortedByTheBracketedString()
    {
        var merged = Merge(
            [Slice("s1", new[] { "fd00:198:18:40::a", "fd00:198:18:40::10", "fd00:198:18:40::1", "fd00:198:18:4::1" }.Select(a => Endpoint(a)), family: IPFamily.IPv6)],
            IPFamily.IPv6);
        Assert.Equal(
            ["[fd00:198:18:40::10]:8080", "[fd00:198:18:40::1]:8080", "[fd00:198:18:40::a]:8080", "[fd00:198:18:4::1]:8080"],
            Keys(merged));
    }

    [Fact]
    public void ConditionsKeepTheAPIMeaningOfMissingValues()
    {
        var merged = Merge([Slice("s1",
        [
            Endpoint("198.18.64.1"),
            Endpoint("198.18.64.2", ready: false, serving: true, terminating: true),
            Endpoint("198.18.64.3", ready: false, serving: false, terminating: false),
            Endpoint("198.18.64.4", ready: true, serving: null, terminating: null),
        ])]);
        var eps = merged[PortName()];
        Assert.Equal([true, false, false, true], eps.Select(e => e.Ready));
        Assert.Equal([true, true, false, true], eps.Select(e => e.Serving));
        Assert.Equal([false, true, false, false], eps.Select(e => e.Terminating));
    }

    [Fact]
    public void HintsAreCopied()
    {
        var merged = Merge([Slice("s1", [Endpoint("198.18.64.1", zoneHints: ["zone-a", "zone-b"], nodeHints: [NodeName])])]);
        var ep = Assert.Single(merged[PortName()]);
        Assert.Equal(["zone-a", "zone-b"], ep.ZoneHints);
        Assert.Equal([NodeName], ep.NodeHints);
    }

    [Fact]
    public void EndpointWithoutNodeNameIsNotLocal()
    {
        var merged = Merge([Slice("s1", [Endpoint("198.18.64.1", node: null), Endpoint("198.18.64.2", node: "node-a-other")])]);
        Assert.All(merged[PortName()], e => Assert.False(e.IsLocal));
    }
}
