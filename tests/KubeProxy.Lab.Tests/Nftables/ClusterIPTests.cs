using KubeProxy.Core.Model;
using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>ClusterIP basics through the real kernel (upstream TestClusterIPGeneral).</summary>
public sealed class ClusterIPTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ClusterIPGeneral(IPFamily family)
    {
        var v6 = family == IPFamily.IPv6;
        var ip1 = v6 ? LabAddresses.ClusterIPV6(41) : LabAddresses.ClusterIPV4(41);
        var ip2 = v6 ? LabAddresses.ClusterIPV6(42) : LabAddresses.ClusterIPV4(42);
        var unallocated = v6 ? LabAddresses.ClusterIPV6(50) : LabAddresses.ClusterIPV4(50);
        var svc1 = new ServiceManifest("svc1", "ns1") { ClusterIPs = [ip1], Ports = [new("http", 80)] };
        var svc2 = new ServiceManifest("svc2", "ns2")
        {
            ClusterIPs = [ip2],
            Ports =
            [
                new("http", 80),
                new("https", 443, TargetPort: 8443),
                new("dns-udp", 53, Protocol.UDP),
                new("dns-tcp", 53, Protocol.TCP, TargetPort: 5353),
                new("dns-sctp", 53, Protocol.SCTP),
            ],
        };

        await using var lab = await NftablesLab.StartAsync(output);
        var (web1, web3, src) = (lab.Lab.Pod("web-1"), lab.Lab.Pod("web-3"), lab.Lab.Pod("src-1"));
        await lab.ApplyAsync(
            svc1,
            EndpointSliceManifest.Of(svc1, family) with { Endpoints = [EndpointManifest.For(web1, family)] },
            svc2,
            EndpointSliceManifest.Of(svc2, family) with { Endpoints = [EndpointManifest.For(web1, family), EndpointManifest.For(web3, family)] });

        await lab.RunFlowsAsync(
        [
            new("simple clusterIP", src, ip1, 80, To(false, "web-1:80")),
            new("hairpin to cluster IP", web1, ip1, 80, To(true, "web-1:80")),
            new("clusterIP with multiple endpoints", src, ip2, 80, To(false, "web-1:80", "web-3:80")),
            new("clusterIP with TargetPort", src, ip2, 443, To(false, "web-1:8443", "web-3:8443")),
            new("same port, TCP", src, ip2, 53, To(false, "web-1:5353", "web-3:5353")),
            new("same port, UDP", src, ip2, 53, To(false, "web-1:53", "web-3:53")) { Protocol = Protocol.UDP },
            new("same port, SCTP", src, ip2, 53, To(false, "web-1:53", "web-3:53")) { Protocol = Protocol.SCTP },
            new("TCP-only port does not match UDP traffic", src, ip2, 80, Reject) { Protocol = Protocol.UDP },
            new("svc1 does not accept svc2's ports", src, ip1, 443, Reject),
            new("packet to unallocated cluster IP", src, unallocated, 80, Drop),
            new("external client to cluster IP is masqueraded", lab.Lab.Client("client"), ip1, 80, To(true, "web-1:80")),
            new("node to cluster IP is masqueraded", lab.Node, ip1, 80, To(true, "web-1:80")),
        ], output.WriteLine);
    }
}
