using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Proxy;

public sealed class KubeProxyMetricsTests(ITestOutputHelper output)
{
    private const string Synced = """
        # HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds The last time proxy rules were successfully synced
        # TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge
        kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} 0
        kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv6"} 1.7e9
        kubeproxy_sync_proxy_rules_endpoint_changes_total 4
        """;

    [RootFact]
    public async Task WaitsForTheFirstSyncThroughTheNodeNamespace()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1");
        await using var server = await FakeHttpServer.StartAsync(node.Namespace, new IPEndPoint(IPAddress.Loopback, 10249));
        using var metrics = new KubeProxyMetrics(node.Namespace);
        server.Body = Synced.Replace("1.7e9", "0");

        var waiting = metrics.WaitForSyncAsync(TimeSpan.FromSeconds(20));
        await PollUntil(() => server.Requests >= 2);
        Assert.False(waiting.IsCompleted);
        server.Body = Synced;

        Assert.Equal(1.7e9, await waiting);
        Assert.Equal(4, await metrics.ReadAsync("kubeproxy_sync_proxy_rules_endpoint_changes_total"));
        Assert.Equal(0, await metrics.ReadAsync(KubeProxyMetrics.LastSyncTimestamp, new Dictionary<string, string> { ["ip_family"] = "IPv4" }));
        Assert.Null(await metrics.ReadAsync("kubeproxy_absent"));
    }

    [RootFact]
    public async Task MetricsEndpointIsOnlyInsideItsNamespace()
    {
        await using var lab = await LabFixture.StartAsync(output);
        await using var server = await FakeHttpServer.StartAsync(lab.Node("node-1").Namespace, new IPEndPoint(IPAddress.Loopback, 10249));

        var fromClient = await lab.Client("client").ProbeAsync(IPAddress.Loopback, 10249);

        Assert.Equal(ProbeOutcome.Rejected, fromClient.Outcome);
    }

    [RootFact]
    public async Task TimesOutWithTheLastValueSeen()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1");
        await using var server = await FakeHttpServer.StartAsync(node.Namespace, new IPEndPoint(IPAddress.Loopback, 10249));
        server.Body = Synced;
        using var metrics = new KubeProxyMetrics(node.Namespace);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            metrics.WaitForGrowthAsync("kubeproxy_sync_proxy_rules_endpoint_changes_total", 4, TimeSpan.FromMilliseconds(500)));

        Assert.Contains("last: value 4", timeout.Message);
    }

    [RootFact]
    public async Task HttpClientOfAHostConnectsFromItsNamespace()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1");
        await using var server = await FakeHttpServer.StartAsync(node.Namespace, new IPEndPoint(IPAddress.IPv6Loopback, 10256));
        server.Body = "ok";
        using var http = node.CreateHttpClient();

        Assert.Equal("ok", await http.GetStringAsync(new Uri("http://[::1]:10256/healthz")));
    }

    private static async Task PollUntil(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
