using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;
using static KubeProxy.Lab.Flows.FlowExpectation;
using static KubeProxy.Lab.Tests.Nftables.NftablesLab;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>The process around the rules: health and metrics endpoints, and rules that outlive a stopped kube-proxy.</summary>
public sealed class KubeProxyLifecycleTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task ServesHealthAndMetricsAndLeavesRulesInPlaceWhenStopped()
    {
        var clusterIP = ClusterIP(IPFamily.IPv4, 70);
        var svc = new ServiceManifest("web", "default") { ClusterIPs = [clusterIP], Ports = [new("http", 80)] };
        await using var lab = await StartAsync(output);
        await lab.ApplyAsync(svc, Slice(svc, IPFamily.IPv4, Ep(lab, "web-1", IPFamily.IPv4)));

        var (healthz, body) = await lab.KubeProxy.Metrics.GetAsync("healthz");
        output.WriteLine($"healthz: {(int)healthz} {body}");
        Assert.Equal(HttpStatusCode.OK, healthz);
        var (mode, modeBody) = await lab.KubeProxy.Metrics.GetAsync("proxyMode", onMetricsServer: true);
        Assert.Equal(HttpStatusCode.OK, mode);
        Assert.Equal("nftables", modeBody.Trim());
        foreach (var family in new[] { "IPv4", "IPv6" })
        {
            Assert.True(await lab.KubeProxy.ReadMetricAsync(KubeProxyMetrics.LastSyncTimestamp, new Dictionary<string, string> { ["ip_family"] = family }) > 0,
                $"no sync recorded for {family}");
        }

        Assert.True(await lab.KubeProxy.ReadMetricAsync(KubeProxyMetrics.ServiceChangesTotal) >= 1);

        var exitCode = await lab.KubeProxy.StopAsync();
        output.WriteLine(lab.KubeProxy.Output);
        Assert.Equal(0, exitCode);
        await lab.RunFlowsAsync([new("rules survive kube-proxy's exit", lab.Lab.Pod("src-1"), clusterIP, 80, To(false, "web-1"))], output.WriteLine);
    }
}
