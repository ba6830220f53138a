using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>LoadBalancer IPs and loadBalancerSourceRanges (upstream TestLoadBalancer).</summary>
public sealed class LoadBalancerTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task LoadBalancerWithSourceRanges(IPFamily family)
    {
        var v6 = family == IPFamily.IPv6;
        var (clusterIP, lb1, lb2) = (ClusterIP(family, 41), LoadBalancerIP(family, 1), LoadBalancerIP(family, 2));
        var svc = new ServiceManifest("svc1", "ns1")
        {
            Type = ServiceType.LoadBalancer,
            ClusterIPs = [clusterIP],
            LoadBalancerIngress = [lb1, lb2],
            Ports = [new("p80", 80, NodePort: 30080)],
            // The node network (so the node itself may use the LB) and the client network; not the blocked network, not pods.
            LoadBalancerSourceRanges = v6
                ? [LabAddresses.NodeNetworkV6.ToString(), " " + LabAddresses.ClientNetworkV6]
                : [LabAddresses.NodeNetworkV4.ToString(), " " + LabAddresses.ClientNetworkV4],
        };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family)));
        var (pod, client, blocked, node) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"), lab.Lab.Client("blocked"), lab.Node);
        var nodeIP = node.Address(family);

        await lab.RunFlowsAsync(
        [
            new("pod to cluster IP", pod, clusterIP, 80, To(false, "web-1:80")),
            new("external to nodePort", client, nodeIP, 30080, To(true, "web-1:80")),
            new("nodePort bypasses LoadBalancerSourceRanges", blocked, nodeIP, 30080, To(true, "web-1:80")),
            new("accepted external to LB1", client, lb1, 80, To(true, "web-1:80")),
            new("accepted external to LB2", client, lb2, 80, To(true, "web-1:80")),
            new("blocked external to LB1", blocked, lb1, 80, Drop),
            new("blocked external to LB2", blocked, lb2, 80, Drop),
            new("pod to LB1 (blocked by LoadBalancerSourceRanges)", pod, lb1, 80, Drop),
            new("pod to LB2 (blocked by LoadBalancerSourceRanges)", pod, lb2, 80, Drop),
            new("node to LB1 (allowed by LoadBalancerSourceRanges)", node, lb1, 80, To(true, "web-1:80")),
            new("node to LB2 (allowed by LoadBalancerSourceRanges)", node, lb2, 80, To(true, "web-1:80")),
        ], output.WriteLine);
    }

    [RootFact]
    public async Task LoadBalancerWithoutSourceRangesAcceptsEveryone()
    {
        var (clusterIP, lb) = (ClusterIP(IPFamily.IPv4, 44), LoadBalancerIP(IPFamily.IPv4, 3));
        var svc = new ServiceManifest("open", "ns1")
        {
            Type = ServiceType.LoadBalancer,
            ClusterIPs = [clusterIP],
            LoadBalancerIngress = [lb],
            Ports = [new("dns", 53, Protocol.UDP, NodePort: 30053)],
        };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, IPFamily.IPv4, Ep(lab, "web-1", IPFamily.IPv4), Ep(lab, "web-3", IPFamily.IPv4)));

        await lab.RunFlowsAsync(
        [
            new("external to LB, UDP", lab.Lab.Client("client"), lb, 53, To(true, "web-1:53", "web-3:53")) { Protocol = Protocol.UDP },
            new("blocked-network client to LB, UDP", lab.Lab.Client("blocked"), lb, 53, To(true, "web-1:53", "web-3:53")) { Protocol = Protocol.UDP },
            new("pod to LB, UDP", lab.Lab.Pod("src-1"), lb, 53, To(true, "web-1:53", "web-3:53")) { Protocol = Protocol.UDP },
        ], output.WriteLine);
    }
}
