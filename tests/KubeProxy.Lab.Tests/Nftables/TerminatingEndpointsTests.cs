using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>
/// Terminating endpoints are used only when no ready ones are left, and only while still serving (upstream
/// TestEndpointSliceWithTerminatingEndpointsTrafficPolicyLocal / ...Cluster). Each case is a phase: the slice
/// is rewritten and the flows checked again against the same running kube-proxy.
/// </summary>
public sealed class TerminatingEndpointsTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task TerminatingEndpointsWithExternalTrafficPolicyLocal(IPFamily family)
    {
        var lbIP = LoadBalancerIP(family, 5);
        var svc = new ServiceManifest("svc1", "ns1")
        {
            Type = ServiceType.LoadBalancer,
            ExternalTrafficPolicy = TrafficPolicy.Local,
            ClusterIPs = [ClusterIP(family, 41)],
            LoadBalancerIngress = [lbIP],
            Ports = [new("p80", 80, NodePort: 30001)],
            HealthCheckNodePort = 30000,
        };
        await using var lab = await StartAsync(output);
        var (pod, client, clusterIP) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"), svc.ClusterIPs[0]);
        var web1 = Ep(lab, "web-1", family);
        var web2 = Ep(lab, "web-2", family);
        var web3 = Ep(lab, "web-3", family);

        await lab.ApplyAsync(svc, Slice(svc, family, web1, web2.ServingTerminating(), web3));
        await lab.RunFlowsAsync(
        [
            new("ready endpoints are used, the terminating one is not (cluster)", pod, clusterIP, 80, To(false, "web-1", "web-3")),
            new("only the local ready endpoint gets external traffic", client, lbIP, 80, To(false, "web-1")),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, web1.ServingTerminating(), web2.ServingTerminating(), web3));
        await lab.RunFlowsAsync(
        [
            new("cluster traffic uses the remaining ready endpoint", pod, clusterIP, 80, To(false, "web-3")),
            new("no local ready endpoint: external traffic falls back to local serving terminating ones", client, lbIP, 80, To(false, "web-1", "web-2")),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, web1.ServingTerminating(), web2.NotServingTerminating(), web3.ServingTerminating()));
        await lab.RunFlowsAsync(
        [
            new("no ready endpoint anywhere: cluster traffic uses all serving terminating ones", pod, clusterIP, 80, To(false, "web-1", "web-3")),
            new("external traffic uses the local serving terminating one", client, lbIP, 80, To(false, "web-1")),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, web1.NotServingTerminating(), web2.NotServingTerminating(), web3.ServingTerminating()));
        await lab.RunFlowsAsync(
        [
            new("only a remote serving terminating endpoint: cluster traffic uses it", pod, clusterIP, 80, To(false, "web-3")),
            new("nothing local serves: external traffic is dropped", client, lbIP, 80, Drop),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, web1.NotServingTerminating(), web3.NotServingTerminating()));
        await lab.RunFlowsAsync(
        [
            new("no serving endpoint at all: cluster traffic is rejected", pod, clusterIP, 80, Reject),
            new("no serving endpoint at all: external traffic is rejected", client, lbIP, 80, Reject),
        ], output.WriteLine);
    }

    [RootFact]
    public async Task TerminatingEndpointsWithExternalTrafficPolicyCluster()
    {
        const IPFamily family = IPFamily.IPv4;
        var lbIP = LoadBalancerIP(family, 6);
        var svc = new ServiceManifest("svc1", "ns1")
        {
            Type = ServiceType.LoadBalancer,
            ClusterIPs = [ClusterIP(family, 42)],
            LoadBalancerIngress = [lbIP],
            Ports = [new("p80", 80, NodePort: 30002)],
        };
        await using var lab = await StartAsync(output);
        var (pod, client, clusterIP) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"), svc.ClusterIPs[0]);
        var (web1, web2, web3) = (Ep(lab, "web-1", family), Ep(lab, "web-2", family), Ep(lab, "web-3", family));

        await lab.ApplyAsync(svc, Slice(svc, family, web1, web2.ServingTerminating(), web3.ServingTerminating()));
        await lab.RunFlowsAsync(
        [
            new("the ready endpoint takes cluster traffic", pod, clusterIP, 80, To(false, "web-1")),
            new("the ready endpoint takes external traffic", client, lbIP, 80, To(true, "web-1")),
        ], output.WriteLine);

        await lab.ApplyAsync(Slice(svc, family, web1.NotServingTerminating(), web2.ServingTerminating(), web3.ServingTerminating()));
        await lab.RunFlowsAsync(
        [
            new("no ready endpoint: serving terminating ones take cluster traffic", pod, clusterIP, 80, To(false, "web-2", "web-3")),
            new("no ready endpoint: serving terminating ones take external traffic", client, lbIP, 80, To(true, "web-2", "web-3")),
        ], output.WriteLine);
    }
}
