using KubeProxy.ApiServer.Resources;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.ApiServer;

/// <summary>
/// <c>--detect-local-mode=NodeCIDR</c> with the real kube-proxy, as upstream: no rules before the Node has podCIDRs,
/// and an exit with status 1 (and a log line saying why) when they change afterwards.
/// </summary>
public sealed class ApiNodeCidrTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task KubeProxyWaitsForThePodCidrsAndExitsWhenTheyChange()
    {
        var ip = LabAddresses.ClusterIPV4(31);
        var service = new ServiceManifest("web", "lab") { ClusterIPs = [ip], Ports = [new("http", 80)] };
        await using var lab = await ApiProxyLab.StartAsync(output,
            l => [service, EndpointSliceManifest.Of(service, IPFamily.IPv4) with { Endpoints = [EndpointManifest.For(l.Pod("web-1"), IPFamily.IPv4)] }],
            extraArgs: ["--detect-local-mode=NodeCIDR"],
            node: n => NodeManifest.For(n) with { PodCidrs = [] },
            waitForSync: false);

        // Services, slices and the Node have been listed and are being watched, yet nothing was programmed.
        await WaitForAsync(() => lab.Server.OpenWatches(ResourceKind.Services) > 0 && lab.Server.OpenWatches(ResourceKind.EndpointSlices) > 0 &&
                                 lab.Server.OpenWatches(ResourceKind.Nodes) > 0, "the watches to open", lab);
        Assert.Contains("awaiting podCIDR allocation", lab.KubeProxy.Output, StringComparison.Ordinal);
        var synced = await lab.KubeProxy.ReadMetricAsync(KubeProxyMetrics.LastSyncTimestamp);
        Assert.True(synced is null or 0, $"kube-proxy synced before the Node had podCIDRs\n{lab.KubeProxy.Output}");

        // The podCIDRs are allocated: the rules follow.
        lab.Api.Apply(NodeManifest.For(lab.Node));
        await lab.KubeProxy.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromSeconds(30));
        await lab.WaitForAnswerAsync("podCIDRs allocated", ip, "web-1");

        // They change: kube-proxy exits non-zero, saying why; the rules stay, so traffic still flows.
        lab.Api.Apply(NodeManifest.For(lab.Node) with { PodCidrs = ["198.18.100.0/24"] });
        var exitCode = await lab.KubeProxy.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 1, $"exit code {exitCode}\n{lab.KubeProxy.Output}");
        Assert.Contains("podCIDRs changed from", lab.KubeProxy.Output, StringComparison.Ordinal);
        var after = await lab.ProbeAsync(ip);
        Assert.True(after.EndpointName == "web-1", $"the rules did not survive the exit: {after}");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, ApiProxyLab lab)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(60),
                $"timed out waiting for {what}\n{lab.DescribeRequests()}\n{lab.KubeProxy.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
