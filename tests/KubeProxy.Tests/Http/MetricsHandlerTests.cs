using System.Net;
using System.Text.Json;
using KubeProxy.Core.Metrics;
using KubeProxy.Http;
using Prometheus;

namespace KubeProxy.Tests.Http;

public sealed class MetricsHandlerTests : IAsyncLifetime
{
    private readonly ProxyMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly HttpClient _client = new();
    private HttpEndpoint? _server;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var handler = new MetricsHandler(_metrics, "nftables", () => """{"kubeproxy.config.k8s.io":{"mode":"nftables"}}""");
        _server = await HttpEndpoint.StartAsync([new IPEndPoint(IPAddress.Loopback, port)], handler.HandleAsync);
        _client.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task MetricsArePrometheusTextWithKubeproxyNames()
    {
        var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram", text);
        Assert.Contains("# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds ", text);
    }

    [Fact]
    public async Task HealthzSaysOk()
    {
        var response = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ProxyModeNamesTheMode()
    {
        var response = await _client.GetAsync("/proxyMode");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nftables", await response.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task ConfigzIsJsonUnderTheApiGroupKey()
    {
        var response = await _client.GetAsync("/configz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("nftables", body.RootElement.GetProperty("kubeproxy.config.k8s.io").GetProperty("mode").GetString());
    }

    [Fact]
    public void ConfigzRenderTurnsTheEffectiveConfigurationIntoJson()
    {
        var json = Configz.Render(new KubeProxy.Configuration.KubeProxyConfiguration());
        using var body = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("kubeproxy.config.k8s.io").ValueKind);
    }

    [Fact]
    public async Task UnknownPathIs404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/nope")).StatusCode);
    }
}
