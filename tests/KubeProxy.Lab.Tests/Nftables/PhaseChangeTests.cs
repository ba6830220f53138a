using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>A Service's life through manifest edits, each synced by the running kube-proxy and checked with packets.</summary>
public sealed class PhaseChangeTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ServiceLifecycle(IPFamily family)
    {
        var clusterIP = ClusterIP(family, 60);
        var svc = new ServiceManifest("web", "shop")
        {
            Type = ServiceType.NodePort,
            ClusterIPs = [clusterIP],
            Ports = [new("http", 80, TargetPort: 8080, NodePort: 30080)],
        };
        await using var lab = await StartAsync(output);
        var (pod, client, nodeIP) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"), lab.Node.Address(family));

        await lab.RunFlowsAsync([new("before the Service exists: unallocated ClusterIP", pod, clusterIP, 80, Drop)], output.WriteLine);

        await lab.ApplyAsync(svc);
        await lab.RunFlowsAsync(
        [
            new("Service without slices rejects", pod, clusterIP, 80, Reject),
            new("its NodePort rejects", client, nodeIP, 30080, Reject),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-1", family)));
        await lab.RunFlowsAsync(
        [
            new("one endpoint", pod, clusterIP, 80, To(false, "web-1:8080")),
            new("one endpoint via NodePort", client, nodeIP, 30080, To(true, "web-1:8080")),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-1", family), Ep(lab, "web-2", family), Ep(lab, "web-3", family)));
        await lab.RunFlowsAsync([new("scaled to three", pod, clusterIP, 80, To(false, "web-1:8080", "web-2:8080", "web-3:8080"))], output.WriteLine);

        await lab.ApplyAsync(svc with { Ports = [new("http", 80, TargetPort: 8443, NodePort: 30443)] }, Slice(svc with { Ports = [new("http", 80, TargetPort: 8443)] }, family, Ep(lab, "web-2", family)));
        await lab.RunFlowsAsync(
        [
            new("new target port and one endpoint", pod, clusterIP, 80, To(false, "web-2:8443")),
            new("new NodePort", client, nodeIP, 30443, To(true, "web-2:8443")),
            new("old NodePort is gone", client, nodeIP, 30080, Reject),
        ], output.WriteLine);

        await lab.ApplyAsync(dir => dir.Delete(EndpointSliceManifest.Of(svc, family)));
        await lab.RunFlowsAsync([new("slice deleted: rejects again", pod, clusterIP, 80, Reject)], output.WriteLine);

        await lab.ApplyAsync(dir => dir.Delete(svc));
        await lab.RunFlowsAsync([new("Service deleted: unallocated again", pod, clusterIP, 80, Drop)], output.WriteLine);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task UdpFlowMovesOffARemovedEndpoint(IPFamily family)
    {
        // The same UDP flow (same source port) keeps its conntrack entry unless kube-proxy clears entries of
        // removed endpoints; without that the flow would keep going to the removed pod.
        var clusterIP = ClusterIP(family, 61);
        var svc = new ServiceManifest("dns", "kube-system") { ClusterIPs = [clusterIP], Ports = [new("dns", 53, Protocol.UDP)] };
        await using var lab = await StartAsync(output);
        var pod = lab.Lab.Pod("src-1");
        const int sourcePort = 40053;

        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family)));
        await lab.RunFlowsAsync([new("flow starts on web-1", pod, clusterIP, 53, To(false, "web-1:53")) { Protocol = Protocol.UDP, SourcePort = sourcePort }], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-2", family)));
        await lab.RunFlowsAsync([new("same flow after web-1 was removed", pod, clusterIP, 53, To(false, "web-2:53")) { Protocol = Protocol.UDP, SourcePort = sourcePort }], output.WriteLine);
    }
}
