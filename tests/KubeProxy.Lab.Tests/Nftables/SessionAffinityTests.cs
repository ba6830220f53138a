using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>sessionAffinity ClientIP: one client keeps one endpoint, whatever address of the Service it uses.</summary>
public sealed class SessionAffinityTests(ITestOutputHelper output)
{
    private const int Probes = 12;

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ClientIPAffinityKeepsEachClientOnOneEndpoint(IPFamily family)
    {
        var (clusterIP, lbIP) = (ClusterIP(family, 45), LoadBalancerIP(family, 8));
        var svc = new ServiceManifest("svc5", "ns5")
        {
            Type = ServiceType.LoadBalancer,
            ClusterIPs = [clusterIP],
            LoadBalancerIngress = [lbIP],
            Ports = [new("p80", 80, NodePort: 30005), new("dns", 53, Protocol.UDP, NodePort: 30053)],
            SessionAffinityTimeoutSeconds = 10800,
        };
        var unsticky = svc with { SessionAffinityTimeoutSeconds = null };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-1", family), Ep(lab, "web-2", family), Ep(lab, "web-3", family)));
        var (pod, client) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"));

        var podTcp = await EndpointsSeenAsync(pod, clusterIP, 80, Protocol.TCP);
        var podUdp = await EndpointsSeenAsync(pod, clusterIP, 53, Protocol.UDP);
        var clientViaLB = await EndpointsSeenAsync(client, lbIP, 80, Protocol.TCP);
        var clientViaClusterIP = await EndpointsSeenAsync(client, clusterIP, 80, Protocol.TCP);

        Assert.Single(podTcp);
        Assert.Single(podUdp);
        Assert.Single(clientViaLB);
        // Affinity is per service port and client IP, whatever service address was used.
        Assert.Equal(clientViaLB, clientViaClusterIP);

        // Without affinity, the same client spreads over the endpoints again.
        await lab.ApplyAsync(unsticky);
        var spread = await EndpointsSeenAsync(pod, clusterIP, 80, Protocol.TCP, probes: 32);
        Assert.True(spread.Count > 1, $"without affinity all {32} probes went to {string.Join(",", spread)}");
    }

    private async Task<HashSet<string>> EndpointsSeenAsync(LabHost from, System.Net.IPAddress destination, int port, Protocol protocol, int probes = Probes)
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < probes; i++)
        {
            var result = await from.ProbeAsync(destination, port, protocol);
            Assert.True(result.Outcome == ProbeOutcome.Answered, result.ToString());
            seen.Add(result.EndpointName!);
        }

        output.WriteLine($"{from.Name} -> {destination}:{port}/{protocol.Lower()}: {probes} probes answered by {string.Join(", ", seen)}");
        return seen;
    }
}
