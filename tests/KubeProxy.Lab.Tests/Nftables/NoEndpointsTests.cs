using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>A Service without endpoints rejects on every address it has (upstream TestNoEndpointsReject).</summary>
public sealed class NoEndpointsTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task NoEndpointsReject(IPFamily family)
    {
        var (clusterIP, externalIP, lbIP) = (ClusterIP(family, 41), ExternalIP(family, 11), LoadBalancerIP(family, 4));
        var svc = new ServiceManifest("svc1", "ns1")
        {
            Type = ServiceType.LoadBalancer,
            ClusterIPs = [clusterIP],
            ExternalIPs = [externalIP],
            LoadBalancerIngress = [lbIP],
            Ports = [new("p80", 80, NodePort: 30001), new("dns", 53, Protocol.UDP, NodePort: 30053)],
        };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc);
        var (pod, client, nodeIP) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"), lab.Node.Address(family));

        await lab.RunFlowsAsync(
        [
            new("pod to cluster IP with no endpoints", pod, clusterIP, 80, Reject),
            new("pod to cluster IP with no endpoints, UDP", pod, clusterIP, 53, Reject) { Protocol = Protocol.UDP },
            new("external to external IP with no endpoints", client, externalIP, 80, Reject),
            new("pod to NodePort with no endpoints", pod, nodeIP, 30001, Reject),
            new("external to NodePort with no endpoints", client, nodeIP, 30001, Reject),
            new("external to NodePort with no endpoints, UDP", client, nodeIP, 30053, Reject) { Protocol = Protocol.UDP },
            new("pod to LoadBalancer IP with no endpoints", pod, lbIP, 80, Reject),
            new("external to LoadBalancer IP with no endpoints", client, lbIP, 80, Reject),
        ], output.WriteLine);
    }

    [RootFact]
    public async Task EndpointsThatAreNeitherReadyNorServingCountAsNone()
    {
        var clusterIP = ClusterIP(IPFamily.IPv4, 43);
        var svc = new ServiceManifest("svc1", "ns1") { ClusterIPs = [clusterIP], Ports = [new("p80", 80)] };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, IPFamily.IPv4,
            Ep(lab, "web-1", IPFamily.IPv4) with { Ready = false, Serving = false, Terminating = false },
            Ep(lab, "web-2", IPFamily.IPv4).NotServingTerminating()));

        await lab.RunFlowsAsync([new("pod to cluster IP whose endpoints are not ready", lab.Lab.Pod("src-1"), clusterIP, 80, Reject)], output.WriteLine);
    }
}
