using System.Net;
using System.Text.Json;
using KubeProxy.Core.Model;
using KubeProxy.Lab;
using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;

namespace KubeProxy.E2E;

/// <summary>
/// externalTrafficPolicy and internalTrafficPolicy Local across nodes (upstream loadbalancer.go "should only
/// target nodes with endpoints", service.go "should respect internalTrafficPolicy=Local"), and the health-check
/// node port a cloud load balancer polls.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TrafficPolicyTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly ServicePortManifest Http = new("http", 80, TargetPort: 8080);

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task ExternalTrafficPolicyLocalKeepsTheClientAddressAndOnlyNodesWithEndpointsAnswer(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var (lbIP, nodePort, healthCheckNodePort) = (t.NewLoadBalancerIP(), t.NewNodePort(), t.NewHealthCheckNodePort());
        var svc = t.NewService("etp-local", Http with { NodePort = nodePort }) with
        {
            Type = ServiceType.LoadBalancer,
            ExternalTrafficPolicy = TrafficPolicy.Local,
            HealthCheckNodePort = healthCheckNodePort,
            LoadBalancerIngress = [lbIP],
        };
        // Both endpoints on node-2; node-1 and node-3 have none.
        await t.CreateServiceAsync(svc, t.Pod("web-3"), t.Pod("web-4"));

        await t.RouteAsync(lbIP, t.Node("node-2"));
        var results = await t.FlowsAsync(
            new("outside to the LB IP via node-2: client address kept", t.Client, lbIP, 80, To(false, "web-3:8080", "web-4:8080")),
            new("outside to node-2's NodePort: client address kept", t.Client, t.Node("node-2").IPv4, nodePort, To(false, "web-3:8080", "web-4:8080")),
            new("outside to node-1's NodePort: no local endpoint, dropped", t.Client, t.Node("node-1").IPv4, nodePort, Drop),
            new("outside to node-3's NodePort: no local endpoint, dropped", t.Client, t.Node("node-3").IPv4, nodePort, Drop),
            new("a pod on node-1 to the LB IP still reaches the endpoints", t.Pod("web-1"), lbIP, 80, To(false, "web-3:8080", "web-4:8080")));
        Assert.All(results[0].Probes, p => Assert.Equal(t.Client.IPv4, p.SeenPeer!.Address));

        // A load balancer that sends the VIP to a node without endpoints gets nothing.
        await t.RouteAsync(lbIP, t.Node("node-3"));
        await t.FlowsAsync(new PacketFlow("outside to the LB IP via node-3: dropped", t.Client, lbIP, 80, Drop));

        // ...which is what the health checks tell it.
        await AssertHealthCheckAsync(t, t.Node("node-2"), healthCheckNodePort, svc, HttpStatusCode.OK, localEndpoints: 2);
        await AssertHealthCheckAsync(t, t.Node("node-1"), healthCheckNodePort, svc, HttpStatusCode.ServiceUnavailable, localEndpoints: 0);
        await AssertHealthCheckAsync(t, t.Node("node-3"), healthCheckNodePort, svc, HttpStatusCode.ServiceUnavailable, localEndpoints: 0);

        // Endpoints move to node-3: the answers follow.
        await t.SetEndpointsAsync(svc, t.Pod("web-5"));
        await t.FlowsAsync(new PacketFlow("outside to the LB IP via node-3 after the move", t.Client, lbIP, 80, To(false, "web-5:8080")));
        await AssertHealthCheckAsync(t, t.Node("node-3"), healthCheckNodePort, svc, HttpStatusCode.OK, localEndpoints: 1);
        await AssertHealthCheckAsync(t, t.Node("node-2"), healthCheckNodePort, svc, HttpStatusCode.ServiceUnavailable, localEndpoints: 0);
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task InternalTrafficPolicyLocalStaysOnTheNode(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var svc = t.NewService("itp-local", Http) with { InternalTrafficPolicy = TrafficPolicy.Local };
        await t.CreateServiceAsync(svc, t.Pod("web-3"), t.Pod("web-5"));
        var ip = svc.ClusterIPs[0];
        await t.FlowsAsync(
            new("pod on node-2 reaches only node-2's endpoint", t.Pod("web-4"), ip, 80, To(false, "web-3:8080")),
            new("pod on node-3 reaches only node-3's endpoint", t.Pod("web-6"), ip, 80, To(false, "web-5:8080")),
            new("pod on node-1 (no local endpoint) is dropped", t.Pod("web-1"), ip, 80, Drop),
            new("node-2 itself reaches its local endpoint", t.Node("node-2"), ip, 80, To(true, "web-3:8080")));
    });

    /// <summary>
    /// GET / on the health-check node port, as a cloud load balancer's probe does, polled briefly because the
    /// health server follows the sync. Status, JSON body and headers are upstream's.
    /// </summary>
    private static async Task AssertHealthCheckAsync(ClusterTest t, LabNode node, int port, ServiceManifest svc, HttpStatusCode expected, int localEndpoints)
    {
        using var http = t.Client.CreateHttpClient();
        var uri = new Uri($"http://{new IPEndPoint(node.IPv4, port)}/");
        (HttpStatusCode Status, string Body, HttpResponseMessage? Response) last = (0, "", null);
        last = await Poll.UntilAsync(async () =>
        {
            try
            {
                var response = await http.GetAsync(uri);
                return (response.StatusCode, await response.Content.ReadAsStringAsync(), (HttpResponseMessage?)response);
            }
            catch (HttpRequestException e)
            {
                return ((HttpStatusCode)0, e.Message, null);
            }
        }, r => r.Item1 == expected && r.Item2.Contains($"\"localEndpoints\":{localEndpoints}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        t.Output.WriteLine($"health check {uri}: {(int)last.Status} {last.Body}");
        Assert.Equal(expected, last.Status);
        var response = Assert.IsType<HttpResponseMessage>(last.Response);
        using (response)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal(localEndpoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Assert.Single(response.Headers.GetValues("X-Load-Balancing-Endpoint-Weight")));
        }

        using var json = JsonDocument.Parse(last.Body);
        Assert.Equal(svc.Namespace, json.RootElement.GetProperty("service").GetProperty("namespace").GetString());
        Assert.Equal(svc.Name, json.RootElement.GetProperty("service").GetProperty("name").GetString());
        Assert.Equal(localEndpoints, json.RootElement.GetProperty("localEndpoints").GetInt32());
        Assert.True(json.RootElement.GetProperty("serviceProxyHealthy").GetBoolean());
    }
}
