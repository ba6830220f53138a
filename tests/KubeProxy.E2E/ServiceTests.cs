using KubeProxy.Core.Model;
using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;

namespace KubeProxy.E2E;

/// <summary>
/// The basic Service types, reached from where upstream's service.go reaches them: ClusterIP from pods on every
/// node and from the nodes, NodePort from another node and from outside, LoadBalancer and externalIPs from
/// outside through the router. Every check reads what the echo servers answered (name, address, seen source).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ServiceTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly ServicePortManifest Http = new("http", 80, TargetPort: 8080);

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task ClusterIPFromPodsOnEveryNodeAndFromNodes(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        // One endpoint per node, so every client has local and remote endpoints.
        var svc = t.NewService("clusterip", Http);
        await t.CreateServiceAsync(svc, t.Pod("web-1"), t.Pod("web-3"), t.Pod("web-5"));
        var ip = svc.ClusterIPs[0];
        var all = To(false, "web-1:8080", "web-3:8080", "web-5:8080");
        await t.FlowsAsync(
            new("pod on node-1", t.Pod("web-2"), ip, 80, all),
            new("pod on node-2", t.Pod("web-4"), ip, 80, all),
            new("pod on node-3", t.Pod("web-6"), ip, 80, all),
            // A node is not in the cluster CIDR: its traffic to a ClusterIP is masqueraded.
            new("node-1", t.Node("node-1"), ip, 80, To(true, "web-1:8080", "web-3:8080", "web-5:8080")),
            new("node-2", t.Node("node-2"), ip, 80, To(true, "web-1:8080", "web-3:8080", "web-5:8080")),
            new("node-3", t.Node("node-3"), ip, 80, To(true, "web-1:8080", "web-3:8080", "web-5:8080")),
            new("a port the Service does not have", t.Pod("web-2"), ip, 8080, Reject));
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task UdpServiceFromPodsNodesAndOutside(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        // networking.go "should function for pod-Service: udp", "node-Service: udp": one datagram, one answer.
        var nodePort = t.NewNodePort();
        var svc = t.NewService("udp", new ServicePortManifest("dns", 53, Protocol.UDP, TargetPort: 5353, NodePort: nodePort)) with
        {
            Type = ServiceType.NodePort,
        };
        await t.CreateServiceAsync(svc, t.Pod("web-2"), t.Pod("web-3"));
        var ip = svc.ClusterIPs[0];
        await t.FlowsAsync(
            new("pod to the ClusterIP", t.Pod("web-6"), ip, 53, To(false, "web-2:5353", "web-3:5353")) { Protocol = Protocol.UDP },
            new("node to the ClusterIP", t.Node("node-3"), ip, 53, To(true, "web-2:5353", "web-3:5353")) { Protocol = Protocol.UDP },
            new("outside to node-3's NodePort", t.Client, t.Node("node-3").IPv4, nodePort, To(true, "web-2:5353", "web-3:5353")) { Protocol = Protocol.UDP },
            new("a TCP port the Service does not have", t.Pod("web-6"), ip, 53, Reject));
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task NodePortFromAnotherNodeAndFromOutside(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var nodePort = t.NewNodePort();
        var svc = t.NewService("nodeport", Http with { NodePort = nodePort }) with { Type = ServiceType.NodePort };
        await t.CreateServiceAsync(svc, t.Pod("web-1"), t.Pod("web-5"));
        var endpoints = To(true, "web-1:8080", "web-5:8080");
        await t.FlowsAsync(
            new("node-2 to node-1's NodePort", t.Node("node-2"), t.Node("node-1").IPv4, nodePort, endpoints),
            new("node-3 to node-2's NodePort (no local endpoint there)", t.Node("node-3"), t.Node("node-2").IPv4, nodePort, endpoints),
            new("outside to node-1", t.Client, t.Node("node-1").IPv4, nodePort, endpoints),
            new("outside to node-2", t.Client, t.Node("node-2").IPv4, nodePort, endpoints),
            new("outside to node-3", t.Client, t.Node("node-3").IPv4, nodePort, endpoints),
            new("pod to another node's NodePort", t.Pod("web-2"), t.Node("node-3").IPv4, nodePort, endpoints));
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task LoadBalancerThroughTheRouter(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var lbIP = t.NewLoadBalancerIP();
        var svc = t.NewService("lb", Http with { NodePort = t.NewNodePort() }) with
        {
            Type = ServiceType.LoadBalancer,
            LoadBalancerIngress = [lbIP],
        };
        await t.CreateServiceAsync(svc, t.Pod("web-3"), t.Pod("web-6"));
        var endpoints = To(true, "web-3:8080", "web-6:8080");

        // The "cloud load balancer" sends the VIP to one node, then spreads it over all three (ECMP).
        foreach (var nodes in new[] { new[] { t.Node("node-1") }, [t.Node("node-2")], [t.Node("node-1"), t.Node("node-2"), t.Node("node-3")] })
        {
            await t.RouteAsync(lbIP, nodes);
            await t.FlowsAsync(
                new($"outside to the LB IP via {string.Join('+', nodes.Select(n => n.Name))}", t.Client, lbIP, 80, endpoints),
                new("a pod to the LB IP (short-circuited on its node)", t.Pod("web-1"), lbIP, 80, endpoints));
        }
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task LoadBalancerSourceRanges(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var lbIP = t.NewLoadBalancerIP();
        var svc = t.NewService("lb-ranges", Http with { NodePort = t.NewNodePort() }) with
        {
            Type = ServiceType.LoadBalancer,
            LoadBalancerIngress = [lbIP],
            LoadBalancerSourceRanges = [Lab.LabAddresses.ClientNetworkV4.ToString()],
        };
        await t.CreateServiceAsync(svc, t.Pod("web-2"), t.Pod("web-4"));
        await t.FlowsAsync(
            new("allowed client", t.Client, lbIP, 80, To(true, "web-2:8080", "web-4:8080")),
            new("client outside the source ranges", t.BlockedClient, lbIP, 80, Drop));

        // On another node the verdicts are the same.
        await t.RouteAsync(lbIP, t.Node("node-3"));
        await t.FlowsAsync(
            new("allowed client via node-3", t.Client, lbIP, 80, To(true, "web-2:8080", "web-4:8080")),
            new("blocked client via node-3", t.BlockedClient, lbIP, 80, Drop));
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task ExternalIPs(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var externalIP = t.NewExternalIP();
        var svc = t.NewService("external", Http) with { ExternalIPs = [externalIP] };
        await t.CreateServiceAsync(svc, t.Pod("web-1"), t.Pod("web-4"));
        await t.RouteAsync(externalIP, t.Node("node-2"));
        await t.FlowsAsync(
            new("outside to the external IP", t.Client, externalIP, 80, To(true, "web-1:8080", "web-4:8080")),
            new("a pod to the external IP", t.Pod("web-6"), externalIP, 80, To(true, "web-1:8080", "web-4:8080")));
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task DualStackService(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var nodePort = t.NewNodePort();
        var svc = t.NewService("dual", [IPFamily.IPv6, IPFamily.IPv4], Http with { NodePort = nodePort }) with { Type = ServiceType.NodePort };
        await t.CreateServiceAsync(svc, t.Pod("web-2"), t.Pod("web-5"));
        var (v6, v4) = (svc.ClusterIPs[0], svc.ClusterIPs[1]);
        var results = await t.FlowsAsync(
            new("pod to the IPv6 ClusterIP", t.Pod("web-3"), v6, 80, To(false, "web-2:8080", "web-5:8080")),
            new("pod to the IPv4 ClusterIP", t.Pod("web-3"), v4, 80, To(false, "web-2:8080", "web-5:8080")),
            new("outside to node-1's IPv6 NodePort", t.Client, t.Node("node-1").IPv6, nodePort, To(true, "web-2:8080", "web-5:8080")),
            new("outside to node-1's IPv4 NodePort", t.Client, t.Node("node-1").IPv4, nodePort, To(true, "web-2:8080", "web-5:8080")));

        // Each family reaches the endpoints' addresses of that family.
        foreach (var probe in results.SelectMany(r => r.Probes))
        {
            var pod = t.Pod(probe.EndpointName!);
            Assert.Equal(pod.Address(probe.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPFamily.IPv6 : IPFamily.IPv4),
                probe.EndpointAddress!.Address);
        }
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task HairpinPodReachesItselfThroughItsService(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var svc = t.NewService("hairpin", Http);
        await t.CreateServiceAsync(svc, t.Pod("web-4"));
        // The reply must come back through the node, so the pod sees the node's address, not its own.
        var results = await t.FlowsAsync(new PacketFlow("pod to its own Service", t.Pod("web-4"), svc.ClusterIPs[0], 80, To(true, "web-4:8080")));
        var seen = results[0].Probes[0].SeenPeer!.Address;
        Assert.NotEqual(t.Pod("web-4").IPv4, seen);
    });
}
