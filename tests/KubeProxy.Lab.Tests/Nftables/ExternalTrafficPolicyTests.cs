using System.Net;
using System.Text.Json;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>externalTrafficPolicy Local and Cluster (upstream TestExternalTrafficPolicyLocal / ...Cluster).</summary>
public sealed class ExternalTrafficPolicyTests(ITestOutputHelper output)
{
    private const int HealthCheckNodePort = 30000;

    private static ServiceManifest Service(IPFamily family, TrafficPolicy policy) => new("svc1", "ns1")
    {
        Type = ServiceType.LoadBalancer,
        ExternalTrafficPolicy = policy,
        ClusterIPs = [ClusterIP(family, 41)],
        ExternalIPs = [ExternalIP(family, 11)],
        LoadBalancerIngress = [LoadBalancerIP(family, 4)],
        Ports = [new("p80", 80, NodePort: 30001)],
        HealthCheckNodePort = policy == TrafficPolicy.Local ? HealthCheckNodePort : null,
    };

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ExternalTrafficPolicyLocal(IPFamily family)
    {
        var svc = Service(family, TrafficPolicy.Local);
        await using var lab = await StartAsync(output);
        // web-1 is on this node, web-3 on node-2.
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-3", family), Ep(lab, "web-1", family)));
        var (pod, client) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"));
        var (clusterIP, externalIP, lbIP, nodeIP) = (svc.ClusterIPs[0], svc.ExternalIPs[0], svc.LoadBalancerIngress[0], lab.Node.Address(family));

        await lab.RunFlowsAsync(
        [
            new("pod to cluster IP hits both endpoints, unmasqueraded", pod, clusterIP, 80, To(false, "web-1", "web-3")),
            new("pod to external IP hits both endpoints, unmasqueraded", pod, externalIP, 80, To(false, "web-1", "web-3")),
            new("external to external IP hits only local endpoint, unmasqueraded", client, externalIP, 80, To(false, "web-1")),
            new("pod to LB IP hits both endpoints, unmasqueraded", pod, lbIP, 80, To(false, "web-1", "web-3")),
            new("external to LB IP hits only local endpoint, unmasqueraded", client, lbIP, 80, To(false, "web-1")),
            new("pod to NodePort hits both endpoints, unmasqueraded", pod, nodeIP, 30001, To(false, "web-1", "web-3")),
            new("external to NodePort hits only local endpoint, unmasqueraded", client, nodeIP, 30001, To(false, "web-1")),
            new("node to LB IP hits both endpoints, masqueraded", lab.Node, lbIP, 80, To(true, "web-1", "web-3")),
        ], output.WriteLine);

        // Phase 2: the local endpoint goes away. External traffic has nowhere to go on this node; pods still reach web-3.
        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-3", family)));
        await lab.RunFlowsAsync(
        [
            new("external to LB IP without local endpoints is dropped", client, lbIP, 80, Drop),
            new("external to NodePort without local endpoints is dropped", client, nodeIP, 30001, Drop),
            new("external to external IP without local endpoints is dropped", client, externalIP, 80, Drop),
            new("pod to LB IP still hits the remote endpoint", pod, lbIP, 80, To(false, "web-3")),
        ], output.WriteLine);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ExternalIPEqualToAnotherServicesClusterIPKeepsTheClientAddress(IPFamily family)
    {
        // a-svc (first by name) has b-svc's ClusterIP:80 as its externalIP with Local policy. The address goes to
        // a-svc, as when two Services claim one address in upstream's single map; b-svc's masquerading of off-cluster
        // traffic to its ClusterIP (the cluster-ip-masquerade set) must not come with it, or a-svc's external clients
        // would lose their source address. b-svc's endpoint (web-3) is on node-2, so reaching it would also show.
        var shared = ClusterIP(family, 42);
        var a = new ServiceManifest("a-svc", "ns1")
        {
            Type = ServiceType.NodePort,
            ExternalTrafficPolicy = TrafficPolicy.Local,
            ClusterIPs = [ClusterIP(family, 43)],
            ExternalIPs = [shared],
            Ports = [new("p80", 80, NodePort: 30002)],
        };
        var b = new ServiceManifest("b-svc", "ns1") { ClusterIPs = [shared], Ports = [new("p80", 80)] };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(a, Slice(a, family, Ep(lab, "web-1", family)), b, Slice(b, family, Ep(lab, "web-3", family)));

        await lab.RunFlowsAsync(
        [
            new("external to the shared address reaches a-svc's local endpoint, unmasqueraded", lab.Lab.Client("client"), shared, 80, To(false, "web-1")),
        ], output.WriteLine);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task HealthCheckNodePortReportsLocalEndpoints(IPFamily family)
    {
        var svc = Service(family, TrafficPolicy.Local);
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-3", family), Ep(lab, "web-1", family)));
        await AssertHealthCheckAsync(lab, family, HttpStatusCode.OK, localEndpoints: 1);

        await lab.ApplyAsync(Slice(svc, family, Ep(lab, "web-3", family)));
        await AssertHealthCheckAsync(lab, family, HttpStatusCode.ServiceUnavailable, localEndpoints: 0);
    }

    [RootTheory]
    [InlineData(IPFamily.IPv4)]
    [InlineData(IPFamily.IPv6)]
    public async Task ExternalTrafficPolicyCluster(IPFamily family)
    {
        var svc = Service(family, TrafficPolicy.Cluster);
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, family, Ep(lab, "web-3", family), Ep(lab, "web-1", family)));
        var (pod, client) = (lab.Lab.Pod("src-1"), lab.Lab.Client("client"));
        var (clusterIP, externalIP, lbIP, nodeIP) = (svc.ClusterIPs[0], svc.ExternalIPs[0], svc.LoadBalancerIngress[0], lab.Node.Address(family));

        await lab.RunFlowsAsync(
        [
            new("pod to cluster IP hits both endpoints, unmasqueraded", pod, clusterIP, 80, To(false, "web-1", "web-3")),
            new("pod to external IP hits both endpoints, masqueraded", pod, externalIP, 80, To(true, "web-1", "web-3")),
            new("external to external IP hits both endpoints, masqueraded", client, externalIP, 80, To(true, "web-1", "web-3")),
            new("pod to LB IP hits both endpoints, masqueraded", pod, lbIP, 80, To(true, "web-1", "web-3")),
            new("external to LB IP hits both endpoints, masqueraded", client, lbIP, 80, To(true, "web-1", "web-3")),
            new("pod to NodePort hits both endpoints, masqueraded", pod, nodeIP, 30001, To(true, "web-1", "web-3")),
            new("external to NodePort hits both endpoints, masqueraded", client, nodeIP, 30001, To(true, "web-1", "web-3")),
        ], output.WriteLine);
    }

    /// <summary>The service health-check node port tells a load balancer whether this node has local endpoints.</summary>
    /// <remarks>
    /// Upstream runs one proxier per IP family, each with its own service health server on that family's node
    /// port addresses, so an IPv6 Service's health-check node port answers on the node's IPv6 address.
    /// </remarks>
    private async Task AssertHealthCheckAsync(ProxyLab lab, IPFamily family, HttpStatusCode expected, int localEndpoints)
    {
        using var http = lab.Lab.Client("client").CreateHttpClient();
        var uri = new Uri($"http://{new IPEndPoint(lab.Node.Address(family), HealthCheckNodePort)}/");
        // The health server follows the sync asynchronously (post-sync hook): poll briefly for the new state.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string body = "";
        HttpStatusCode status = 0;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(uri, deadline.Token);
                (status, body) = (response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token));
                if (status == expected)
                {
                    break;
                }
            }
            catch (HttpRequestException e)
            {
                body = e.Message;
            }

            await Task.Delay(100, deadline.Token).ContinueWith(_ => { });
        }

        output.WriteLine($"health check {uri}: {(int)status} {body}");
        Assert.Equal(expected, status);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(localEndpoints, json.RootElement.GetProperty("localEndpoints").GetInt32());
        Assert.Equal("svc1", json.RootElement.GetProperty("service").GetProperty("name").GetString());
    }
}
