using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>internalTrafficPolicy Local (upstream TestInternalTrafficPolicy).</summary>
public sealed class InternalTrafficPolicyTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task InternalTrafficPolicyLocal(IPFamily family)
    {
        var clusterIP = ClusterIP(family, 1);
        var svc = new ServiceManifest("svc1", "ns1")
        {
            ClusterIPs = [clusterIP],
            InternalTrafficPolicy = TrafficPolicy.Local,
            Ports = [new("p80", 80), new("dns", 53, Protocol.UDP)],
        };
        await using var lab = await StartAsync(output);
        var pod = lab.Lab.Pod("src-1");

        // Phase 1: local endpoints exist: only they get ClusterIP traffic.
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family), Ep(lab, "web-2", family), Ep(lab, "web-3", family)));
        await lab.RunFlowsAsync(
        [
            new("internalTrafficPolicy is local and there are local endpoints", pod, clusterIP, 80, To(false, "web-1", "web-2")),
            new("same, UDP", pod, clusterIP, 53, To(false, "web-1:53", "web-2:53")) { Protocol = Protocol.UDP },
        ], output.WriteLine);

        // Phase 2: only a remote endpoint is left: ClusterIP traffic from this node is dropped, not rejected.
        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-3", family)));
        await lab.RunFlowsAsync(
        [
            new("internalTrafficPolicy is local and there are no local endpoints", pod, clusterIP, 80, Drop),
        ], output.WriteLine);

        // Phase 3: back to Cluster: the remote endpoint serves again.
        await lab.ApplyAsync(svc with { InternalTrafficPolicy = TrafficPolicy.Cluster });
        await lab.RunFlowsAsync(
        [
            new("internalTrafficPolicy is cluster", pod, clusterIP, 80, To(false, "web-3")),
        ], output.WriteLine);
    }
}
