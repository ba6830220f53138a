using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>NodePorts under the default (primary node IP) and explicit --nodeport-addresses (upstream TestNodePorts).</summary>
public sealed class NodePortTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4, false)]
    [InlineData(IPFamily.IPv4, true)]
    [InlineData(IPFamily.IPv6, false)]
    [InlineData(IPFamily.IPv6, true)]
    public async Task NodePorts(IPFamily family, bool nodePortAddressesCoverSecondaryIP)
    {
        var v6 = family == IPFamily.IPv6;
        var clusterIP = ClusterIP(family, 41);
        var secondary = v6 ? "fd00:198:18::20" : "198.18.0.20";
        var svc = new ServiceManifest("svc1", "ns1")
        {
            Type = ServiceType.NodePort,
            ClusterIPs = [clusterIP],
            Ports = [new("p80", 80, NodePort: 30001), new("dns", 53, Protocol.UDP, NodePort: 30001)],
        };
        string[] extraArgs = nodePortAddressesCoverSecondaryIP
            ? ["--nodeport-addresses", $"{LabAddresses.NodeNetworkV4},{LabAddresses.NodeNetworkV6}"]
            : [];
        await using var lab = await StartAsync(output, extraArgs, async l =>
        {
            // A second node address, and a host-network server on the NodePort: traffic kube-proxy leaves alone reaches it.
            await l.Node("node-1").AddAddressAsync(v6 ? $"{secondary}/64" : $"{secondary}/24");
            await l.Node("node-1").StartEchoAsync("tcp:30001", "udp:30001");
        });
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family), Ep(lab, "web-3", family)));
        var (pod, client, node) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"), lab.Node);
        var nodeIP = node.Address(family);
        var secondaryIP = System.Net.IPAddress.Parse(secondary);

        await lab.RunFlowsAsync(
        [
            new("pod to cluster IP", pod, clusterIP, 80, To(false, "web-1:80", "web-3:80")),
            new("external to nodePort", client, nodeIP, 30001, To(true, "web-1:80", "web-3:80")),
            new("external to nodePort, UDP", client, nodeIP, 30001, To(true, "web-1:53", "web-3:53")) { Protocol = Protocol.UDP },
            new("node to nodePort", node, nodeIP, 30001, To(true, "web-1:80", "web-3:80")),
            new("pod to nodePort", pod, nodeIP, 30001, To(true, "web-1:80", "web-3:80")),
            nodePortAddressesCoverSecondaryIP
                ? new("external to nodePort on secondary IP", client, secondaryIP, 30001, To(true, "web-1:80", "web-3:80"))
                : new("secondary node IP ignores NodePorts", client, secondaryIP, 30001, To(false, "node-1:30001")),
        ], output.WriteLine);
    }
}
