using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Probes;

/// <summary>Each probe outcome produced by the real kernel (nft rules only ever inside lab namespaces).</summary>
public sealed class ProbeOutcomeTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4, Protocol.TCP)]
    [InlineData(IPFamily.IPv4, Protocol.UDP)]
    [InlineData(IPFamily.IPv6, Protocol.TCP)]
    [InlineData(IPFamily.IPv6, Protocol.UDP)]
    public async Task ClosedPortIsRejectedWithConnectionRefused(IPFamily family, Protocol protocol)
    {
        await using var lab = await LabFixture.StartAsync(output);
        await lab.Pod("web-1").StartEchoAsync("tcp:8080", "udp:5353");

        var result = await lab.Client("client").ProbeAsync(lab.Pod("web-1").Address(family), 9999, protocol);

        output.WriteLine(result.ToString());
        Assert.Equal(ProbeOutcome.Rejected, result.Outcome);
        Assert.Equal(RejectReason.ConnectionRefused, result.RejectReason);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4, Protocol.TCP)]
    [InlineData(IPFamily.IPv4, Protocol.UDP)]
    [InlineData(IPFamily.IPv6, Protocol.TCP)]
    [InlineData(IPFamily.IPv6, Protocol.UDP)]
    public async Task NftDropRuleGivesDropped(IPFamily family, Protocol protocol)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var web1 = lab.Pod("web-1");
        await web1.StartEchoAsync("tcp:8080", "udp:5353");
        var port = PodTrafficTests.Port(protocol);
        var before = await lab.Client("client").ProbeAsync(web1.Address(family), port, protocol);
        Assert.Equal(ProbeOutcome.Answered, before.Outcome);

        await lab.Router.Namespace.NftAsync($$"""
            table inet kpl_test {
                chain forward {
                    type filter hook forward priority 0; policy accept;
                    {{(family == IPFamily.IPv6 ? "ip6" : "ip")}} daddr {{web1.Address(family)}} {{protocol.Lower()}} dport {{port}} drop
                }
            }
            """);
        var after = await lab.Client("client").ProbeAsync(web1.Address(family), port, protocol, timeout: TimeSpan.FromMilliseconds(700));

        output.WriteLine(after.ToString());
        Assert.Equal(ProbeOutcome.Dropped, after.Outcome);
        Assert.True(after.Elapsed >= TimeSpan.FromMilliseconds(600), $"dropped too early: {after}");
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4, "icmp type host-unreachable", RejectReason.HostUnreachable)]
    [InlineData(IPFamily.IPv4, "icmp type admin-prohibited", RejectReason.HostUnreachable)]
    [InlineData(IPFamily.IPv4, "icmp type port-unreachable", RejectReason.ConnectionRefused)]
    [InlineData(IPFamily.IPv4, "tcp reset", RejectReason.ConnectionRefused)]
    [InlineData(IPFamily.IPv6, "icmpv6 type addr-unreachable", RejectReason.HostUnreachable)]
    [InlineData(IPFamily.IPv6, "icmpv6 type port-unreachable", RejectReason.ConnectionRefused)]
    public async Task NftRejectRuleGivesRejected(IPFamily family, string with, RejectReason expected)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var web1 = lab.Pod("web-1");
        await web1.StartEchoAsync("tcp:8080");
        var match = family == IPFamily.IPv6 ? "ip6" : "ip";

        await lab.Router.Namespace.NftAsync($$"""
            table inet kpl_test {
                chain forward {
                    type filter hook forward priority 0; policy accept;
                    {{match}} daddr {{web1.Address(family)}} tcp dport 8080 reject with {{with}}
                }
            }
            """);
        var result = await lab.Client("client").ProbeAsync(web1.Address(family), 8080);

        output.WriteLine(result.ToString());
        Assert.Equal(ProbeOutcome.Rejected, result.Outcome);
        Assert.Equal(expected, result.RejectReason);
    }

    [RootTheory]
    [InlineData("198.19.250.1")]
    [InlineData("fd00:198:19:250::1")]
    public async Task AddressTheRouterCannotRouteIsNetworkUnreachable(string destination)
    {
        await using var lab = await LabFixture.StartAsync(output);

        // The router has no default route: it answers with ICMP network unreachable.
        var result = await lab.Client("client").ProbeAsync(IPAddress.Parse(destination), 80);

        output.WriteLine(result.ToString());
        Assert.Equal(ProbeOutcome.Rejected, result.Outcome);
        Assert.True(result.RejectReason is RejectReason.NetworkUnreachable or RejectReason.HostUnreachable, result.ToString());
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4, Protocol.TCP)]
    [InlineData(IPFamily.IPv4, Protocol.UDP)]
    [InlineData(IPFamily.IPv6, Protocol.TCP)]
    [InlineData(IPFamily.IPv6, Protocol.UDP)]
    public async Task MasqueradeOnTheNodeShowsAsMasqueraded(IPFamily family, Protocol protocol)
    {
        await using var lab = await LabFixture.StartAsync(output);
        var (node, web1) = (lab.Node("node-1"), lab.Pod("web-1"));
        await web1.StartEchoAsync("tcp:8080", "udp:5353");

        await node.Namespace.NftAsync("""
            table inet kpl_test {
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "kbr0" masquerade
                }
            }
            """);
        var result = await lab.Client("client").ProbeAsync(web1.Address(family), PodTrafficTests.Port(protocol), protocol);

        output.WriteLine(result.ToString());
        Assert.Equal("web-1", result.EndpointName);
        Assert.True(result.IsMasqueraded);
        Assert.Equal(family == IPFamily.IPv6 ? node.PodGatewayV6 : node.PodGatewayV4, result.SeenPeer!.Address);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ServiceAddressesAreRoutedToTheNodeAndBridgedRepliesAreUnDnated(IPFamily family)
    {
        // A hand-written DNAT standing in for kube-proxy: proves the router sends service ranges to the node, that
        // pod -> VIP -> other pod on the same bridge works (br_netfilter un-DNATs the bridged reply), and that
        // hairpin (pod -> VIP -> itself) works once masqueraded.
        await using var lab = await LabFixture.StartAsync(output);
        var (node, web1, web2) = (lab.Node("node-1"), lab.Pod("web-1"), lab.Pod("web-2"));
        await web1.StartEchoAsync("tcp:8080");
        var v6 = family == IPFamily.IPv6;
        var vip = v6 ? LabAddresses.ClusterIPV6(10) : LabAddresses.ClusterIPV4(10);
        var ip = v6 ? "ip6" : "ip";
        var target = v6 ? $"[{web1.IPv6}]:8080" : $"{web1.IPv4}:8080";
        await node.Namespace.NftAsync($$"""
            table inet kpl_test {
                chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    {{ip}} daddr {{vip}} tcp dport 80 dnat {{ip}} to {{target}}
                }
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    {{ip}} saddr {{web1.Address(family)}} {{ip}} daddr {{web1.Address(family)}} masquerade
                }
            }
            """);

        var fromClient = await lab.Client("client").ProbeAsync(vip, 80);
        var fromOtherPod = await web2.ProbeAsync(vip, 80);
        var hairpin = await web1.ProbeAsync(vip, 80);

        foreach (var r in new[] { fromClient, fromOtherPod, hairpin })
        {
            output.WriteLine(r.ToString());
            Assert.Equal("web-1", r.EndpointName);
            Assert.Equal(new IPEndPoint(web1.Address(family), 8080), r.EndpointAddress);
        }

        Assert.False(fromClient.IsMasqueraded);
        Assert.False(fromOtherPod.IsMasqueraded);
        Assert.True(hairpin.IsMasqueraded);
    }
}
