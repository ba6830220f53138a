using KubeProxy.Core.Model;
using KubeProxy.Lab.ApiServer;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.ApiServer;

/// <summary>
/// The real kube-proxy in a node namespace, fed by the API test server through the 127.0.0.1:6443 listener the
/// server keeps inside that namespace: the set-up of the e2e suite and the API-fault lab tests.
/// </summary>
public sealed class ClusterApiTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task KubeProxyInNodeNamespaceProgramsWhatTheApiServerHolds()
    {
        await using var lab = await NetworkLab.StartAsync(ProxyLab.DefaultTopology(), new TestOutputLogger(output));
        foreach (var pod in lab.Pods)
        {
            await pod.StartEchoAsync("tcp:80");
        }

        var node = lab.Nodes[0];
        await using var api = await ClusterApi.StartAsync([node.Namespace]);
        var ip = LabAddresses.ClusterIPV4(7);
        var service = new ServiceManifest("web", "lab") { ClusterIPs = [ip], Ports = [new("http", 80)] };
        var slice = EndpointSliceManifest.Of(service, IPFamily.IPv4) with { Endpoints = [EndpointManifest.For(lab.Pod("web-1"), IPFamily.IPv4)] };
        api.Apply(NodeManifest.For(node), ServiceCidrManifest.Lab(), service, slice);

        var kubeProxy = lab.StartKubeProxy(node,
        [
            "--kubeconfig", api.KubeconfigPath,
            "--hostname-override", node.Name,
            "--proxy-mode", "nftables",
            "--iptables-min-sync-period=0s",
            "--metrics-bind-address", "127.0.0.1:10249",
            "--healthz-bind-address", "127.0.0.1:10256",
            "--cluster-cidr", ProxyLab.ClusterCidrs,
        ]);
        await kubeProxy.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromSeconds(90));

        var client = lab.Client("client").Namespace;
        var first = await Prober.ProbeAsync(client, ip, 80);
        Assert.True(first.Outcome == ProbeOutcome.Answered, $"{first}\n{kubeProxy.Output}");
        Assert.Equal("web-1", first.EndpointName);

        // A change made on the server reaches the kernel through the watch.
        api.Apply(slice with { Endpoints = [EndpointManifest.For(lab.Pod("web-3"), IPFamily.IPv4)] });
        var answered = await PollAsync(async () => await Prober.ProbeAsync(client, ip, 80), r => r.EndpointName == "web-3", TimeSpan.FromSeconds(30));
        Assert.True(answered.EndpointName == "web-3", $"last probe: {answered}\n{kubeProxy.Output}");
        Assert.Contains(api.Server.Requests, r => r.Verb == KubeProxy.ApiServer.ApiVerb.Watch);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var result = await probe();
            if (done(result) || TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                return result;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
