using System.Net;
using EchoServer;
using KubeProxy.Lab;
using KubeProxy.Lab.Cluster;
using KubeProxy.Lab.Echo;
using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;

namespace KubeProxy.E2E;

/// <summary>
/// Endpoints coming and going: a rolling update through terminating endpoints with clients looping all along
/// (upstream service.go "should serve endpoints on same port and different protocols", "... terminating
/// endpoints"), and scaling to zero and back.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EndpointLifecycleTests(ClusterFixture fixture, ITestOutputHelper output)
{
    /// <summary>Only the pods of this test's "deployment" listen here, so a pod that was stopped really refuses.</summary>
    private const int AppPort = 9100;

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task RollingUpdateThroughTerminatingEndpointsFailsNoRequest(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var (old1, old2, new1, new2) = (t.Pod("web-1"), t.Pod("web-3"), t.Pod("web-4"), t.Pod("web-5"));
        var servers = new Dictionary<string, NamespaceEchoServer>();
        async Task StartAsync(LabPod pod) =>
            servers[pod.Name] = await NamespaceEchoServer.StartAsync(pod.Namespace, pod.Name, [ListenSpec.Parse($"tcp:{AppPort}")], t.Cluster.Lab.Logger);
        async Task StopAsync(LabPod pod)
        {
            await servers[pod.Name].DisposeAsync();
            servers.Remove(pod.Name);
        }

        try
        {
            await StartAsync(old1);
            await StartAsync(old2);
            var svc = t.NewService("rollout", new ServicePortManifest("app", 80, TargetPort: AppPort));
            await t.CreateServiceAsync(svc, old1, old2);
            var ip = svc.ClusterIPs[0];

            using var stop = new CancellationTokenSource();
            var clients = new[] { t.Client, t.Pod("web-6"), t.Pod("web-2") };
            var loops = clients.Select(c => LoopAsync(c, ip, stop.Token)).ToList();
            try
            {
                // The old pods are deleted before their replacements are ready: they keep serving while terminating,
                // and with no ready endpoint left kube-proxy must fall back to them rather than reject.
                await t.SetEndpointsAsync(svc, new(old1, EndpointState.ServingTerminating), new(old2, EndpointState.ServingTerminating));
                await t.FlowsAsync(new PacketFlow("only terminating endpoints: they still serve", t.Pod("web-6"), ip, 80, To(false, $"web-1:{AppPort}", $"web-3:{AppPort}")));

                await StartAsync(new1);
                await StartAsync(new2);
                await t.SetEndpointsAsync(svc, new(old1, EndpointState.ServingTerminating), new(old2, EndpointState.ServingTerminating),
                    new(new1, EndpointState.NotReady), new(new2, EndpointState.NotReady));
                await t.SetEndpointsAsync(svc, new(old1, EndpointState.ServingTerminating), new(old2, EndpointState.ServingTerminating), new1, new2);
                await t.FlowsAsync(new PacketFlow("ready endpoints win over terminating ones", t.Pod("web-6"), ip, 80, To(false, $"web-4:{AppPort}", $"web-5:{AppPort}")));

                await t.SetEndpointsAsync(svc, new(old1, EndpointState.NotServingTerminating), new(old2, EndpointState.NotServingTerminating), new1, new2);
                await t.SetEndpointsAsync(svc, new1, new2);
                await StopAsync(old1);
                await StopAsync(old2);
                await t.FlowsAsync(new PacketFlow("after the rollout", t.Client, ip, 80, To(true, $"web-4:{AppPort}", $"web-5:{AppPort}")));
            }
            finally
            {
                await stop.CancelAsync();
            }

            var outcomes = await Task.WhenAll(loops);
            foreach (var (client, results) in clients.Select(c => c.Name).Zip(outcomes))
            {
                var failed = results.Where(r => r.Outcome != ProbeOutcome.Answered).ToList();
                var byEndpoint = string.Join(", ", results.GroupBy(r => r.EndpointName ?? "-").Select(g => $"{g.Key}={g.Count()}"));
                t.Output.WriteLine($"looping client {client}: {results.Count} requests ({byEndpoint}), {failed.Count} failed");
                Assert.True(results.Count > 10, $"looping client {client} made only {results.Count} requests");
                Assert.True(failed.Count == 0, $"{failed.Count} requests failed during the rollout:\n{string.Join('\n', failed.Take(10))}");
            }
        }
        finally
        {
            foreach (var server in servers.Values)
            {
                await server.DisposeAsync();
            }
        }
    });

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task ScaleToZeroRejectsThenScaleBackAnswers(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var lbIP = t.NewLoadBalancerIP();
        var svc = t.NewService("scale", new ServicePortManifest("http", 80, TargetPort: 8080, NodePort: t.NewNodePort())) with
        {
            Type = Core.Model.ServiceType.LoadBalancer,
            LoadBalancerIngress = [lbIP],
        };
        await t.CreateServiceAsync(svc, t.Pod("web-2"), t.Pod("web-6"));
        var ip = svc.ClusterIPs[0];
        await t.FlowsAsync(new PacketFlow("before", t.Pod("web-4"), ip, 80, To(false, "web-2:8080", "web-6:8080")));

        await t.SetEndpointsAsync(svc);
        await t.FlowsAsync(
            new("pod to the ClusterIP of a Service without endpoints", t.Pod("web-4"), ip, 80, Reject),
            new("outside to its LB IP", t.Client, lbIP, 80, Reject),
            new("outside to its NodePort", t.Client, t.Node("node-3").IPv4, svc.Ports[0].NodePort!.Value, Reject));

        await t.SetEndpointsAsync(svc, t.Pod("web-1"));
        await t.FlowsAsync(
            new("pod after scaling back", t.Pod("web-4"), ip, 80, To(false, "web-1:8080")),
            new("outside after scaling back", t.Client, lbIP, 80, To(true, "web-1:8080")));
    });

    /// <summary>One request after another until cancelled; every outcome is kept.</summary>
    private static async Task<List<ProbeResult>> LoopAsync(LabHost client, IPAddress ip, CancellationToken stop)
    {
        var results = new List<ProbeResult>();
        while (!stop.IsCancellationRequested)
        {
            results.Add(await client.ProbeAsync(ip, 80, timeout: TimeSpan.FromSeconds(2), cancellationToken: CancellationToken.None));
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }

        return results;
    }
}
