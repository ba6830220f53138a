using System.Net;
using System.Text.Json;
using KubeProxy.Core.Health;
using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Http;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace KubeProxy.Tests.Http;

public sealed class HealthzHandlerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly ProxyMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly ProxyHealth _health;
    private readonly HttpClient _client = new();
    private HttpEndpoint? _server;

    public HealthzHandlerTests()
    {
        _health = new ProxyHealth(_time, Timeout, [IPFamily.IPv4, IPFamily.IPv6]);
        _health.SetNode(new Node { Name = "node-1" });
    }

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var handler = new HealthzHandler(_health, _metrics);
        _server = await HttpEndpoint.StartAsync([new IPEndPoint(IPAddress.Loopback, port)], handler.HandleAsync);
        _client.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task FreshProxyIsHealthyOnBothPaths()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/livez")).StatusCode);
    }

    [Fact]
    public async Task QueuedUpdateOlderThanTimeoutIs503()
    {
        _health.Updated(IPFamily.IPv4);
        _health.Updated(IPFamily.IPv6);
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/healthz")).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(2));
        var healthz = await _client.GetAsync("/healthz");
        var livez = await _client.GetAsync("/livez");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, livez.StatusCode);

        using var body = JsonDocument.Parse(await healthz.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("healthy").GetBoolean());
        var status = body.RootElement.GetProperty("status");
        Assert.False(status.GetProperty("IPv4").GetProperty("healthy").GetBoolean());
        Assert.True(status.GetProperty("IPv6").GetProperty("healthy").GetBoolean());

        // A successful sync clears it.
        _health.Updated(IPFamily.IPv4);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/healthz")).StatusCode);
    }

    public static TheoryData<string> IneligibleNodes => ["deleted", "being-deleted", "tainted"];

    [Theory]
    [MemberData(nameof(IneligibleNodes))]
    public async Task IneligibleNodeFailsHealthzButNotLivez(string state)
    {
        _health.SetNode(state switch
        {
            "deleted" => null,
            "being-deleted" => new Node { Name = "node-1", IsBeingDeleted = true },
            _ => new Node { Name = "node-1", IsToBeDeletedByClusterAutoscaler = true },
        });

        var healthz = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
        using var body = JsonDocument.Parse(await healthz.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("nodeEligible").GetBoolean());
        Assert.False(body.RootElement.GetProperty("healthy").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/livez")).StatusCode);
    }

    [Fact]
    public async Task BodyAndHeadersMatchUpstream()
    {
        _health.Updated(IPFamily.IPv4);
        _time.Advance(TimeSpan.FromSeconds(3));
        _health.Updated(IPFamily.IPv6);
        _time.Advance(TimeSpan.FromSeconds(1));

        var healthz = await _client.GetAsync("/healthz");
        Assert.Equal("application/json", healthz.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(healthz.Headers.GetValues("X-Content-Type-Options")));
        using var body = JsonDocument.Parse(await healthz.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal(["lastUpdated", "currentTime", "nodeEligible", "healthy", "status"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(_time.GetUtcNow(), root.GetProperty("currentTime").GetDateTimeOffset());
        // Healthy: lastUpdated is reported as now, so probers see a fresh timestamp.
        Assert.Equal(_time.GetUtcNow(), root.GetProperty("lastUpdated").GetDateTimeOffset());
        Assert.True(root.GetProperty("nodeEligible").GetBoolean());
        Assert.True(root.GetProperty("healthy").GetBoolean());
        var v4 = root.GetProperty("status").GetProperty("IPv4");
        var v6 = root.GetProperty("status").GetProperty("IPv6");
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(4), v4.GetProperty("lastUpdated").GetDateTimeOffset());
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromSeconds(1), v6.GetProperty("lastUpdated").GetDateTimeOffset());
        Assert.True(v4.GetProperty("healthy").GetBoolean());

        var livez = await _client.GetAsync("/livez");
        Assert.Equal("application/json", livez.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(livez.Headers.GetValues("X-Content-Type-Options")));
        using var livezBody = JsonDocument.Parse(await livez.Content.ReadAsStringAsync());
        Assert.False(livezBody.RootElement.TryGetProperty("nodeEligible", out _));
        Assert.True(livezBody.RootElement.GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task UnknownPathIs404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/nope")).StatusCode);
    }

    [Fact]
    public async Task CountsRequestsByCode()
    {
        await _client.GetAsync("/healthz");
        await _client.GetAsync("/healthz");
        await _client.GetAsync("/livez");
        _health.SetNode(null);
        await _client.GetAsync("/healthz");

        Assert.Equal(2, _metrics.HealthzTotal.WithLabels("200").Value);
        Assert.Equal(1, _metrics.HealthzTotal.WithLabels("503").Value);
        Assert.Equal(1, _metrics.LivezTotal.WithLabels("200").Value);
        Assert.Equal(0, _metrics.LivezTotal.WithLabels("503").Value);
    }
}
