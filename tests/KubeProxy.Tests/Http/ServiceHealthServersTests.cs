using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using KubeProxy.Core.Health;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Tracking;
using KubeProxy.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Tests.Http;

public sealed class ServiceHealthServersTests : IAsyncDisposable
{
    private const string NodeName = "node-1";
    private readonly ClusterState _state = new([IPFamily.IPv4]);
    private readonly SnapshotBuilder _builder = new(IPFamily.IPv4, NodeName);
    private readonly FakeTimeProvider _time = new();
    private readonly ProxyHealth _health;
    private readonly ListLogger _logger = new();
    private readonly ServiceHealthServers _servers;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    public ServiceHealthServersTests()
    {
        _health = new ProxyHealth(_time, TimeSpan.FromSeconds(60), [IPFamily.IPv4]);
        _servers = new ServiceHealthServers(IPFamily.IPv4, _health, _ => [IPAddress.Loopback], _logger);
        _state.SetNode(new Node { Name = NodeName, Addresses = new[] { IPAddress.Parse("198.18.0.1") } });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _servers.DisposeAsync();
    }

    private static Service LoadBalancer(string name, int healthCheckNodePort, int ports = 1) => new()
    {
        Name = new ObjectName("default", name),
        Type = ServiceType.LoadBalancer,
        ClusterIPs = new[] { IPAddress.Parse("198.18.100.10") },
        Ports = Enumerable.Range(0, ports).Select(i => new ServicePort("p" + i, Protocol.TCP, 80 + i, 30080 + i)).ToArray(),
        ExternalTrafficPolicy = TrafficPolicy.Local,
        HealthCheckNodePort = healthCheckNodePort,
    };

    private static EndpointSlice Slice(string service, int ports, params (string Ip, string Node)[] endpoints) => new()
    {
        Name = new ObjectName("default", service + "-abc"),
        Service = new ObjectName("default", service),
        AddressType = IPFamily.IPv4,
        Ports = Enumerable.Range(0, ports).Select(i => new EndpointPort("p" + i, Protocol.TCP, 8080 + i)).ToArray(),
        Endpoints = endpoints.Select(e => new Endpoint { Addresses = new[] { IPAddress.Parse(e.Ip) }, NodeName = e.Node, Ready = true }).ToArray(),
    };

    private void Sync() => _servers.AfterSync(_builder.Build(_state), fullSync: true);

    [Fact]
    public async Task LocalEndpointsAnswer200OnAnyPath()
    {
        var port = FreePort.Next();
        // Two ports, two local pods and one remote: upstream counts distinct local endpoint IPs, so 2.
        _state.UpsertService(LoadBalancer("web", port, ports: 2));
        _state.UpsertEndpointSlice(Slice("web", 2, ("198.18.64.1", NodeName), ("198.18.64.2", NodeName), ("198.18.65.1", "node-2")));
        Sync();

        Assert.Contains(port, _servers.OpenPorts);
        foreach (var path in new[] { "/", "/healthz", "/anything/else" })
        {
            var response = await _client.GetAsync($"http://127.0.0.1:{port}{path}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("2", Assert.Single(response.Headers.GetValues("X-Load-Balancing-Endpoint-Weight")));
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = body.RootElement;
            Assert.Equal("default", root.GetProperty("service").GetProperty("namespace").GetString());
            Assert.Equal("web", root.GetProperty("service").GetProperty("name").GetString());
            Assert.Equal(2, root.GetProperty("localEndpoints").GetInt32());
            Assert.True(root.GetProperty("serviceProxyHealthy").GetBoolean());
        }
    }

    [Fact]
    public async Task OnlyRemoteEndpointsAnswer503()
    {
        var port = FreePort.Next();
        _state.UpsertService(LoadBalancer("web", port));
        _state.UpsertEndpointSlice(Slice("web", 1, ("198.18.65.1", "node-2")));
        Sync();

        var response = await _client.GetAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("0", Assert.Single(response.Headers.GetValues("X-Load-Balancing-Endpoint-Weight")));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, body.RootElement.GetProperty("localEndpoints").GetInt32());
        Assert.True(body.RootElement.GetProperty("serviceProxyHealthy").GetBoolean());

        // The endpoint count follows later syncs without reopening the port.
        _state.UpsertEndpointSlice(Slice("web", 1, ("198.18.64.1", NodeName)));
        Sync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);
    }

    [Fact]
    public async Task UnhealthyProxyAnswers503()
    {
        var port = FreePort.Next();
        _state.UpsertService(LoadBalancer("web", port));
        _state.UpsertEndpointSlice(Slice("web", 1, ("198.18.64.1", NodeName)));
        Sync();
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(TimeSpan.FromSeconds(61));

        var response = await _client.GetAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, body.RootElement.GetProperty("localEndpoints").GetInt32());
        Assert.False(body.RootElement.GetProperty("serviceProxyHealthy").GetBoolean());
    }

    [Fact]
    public async Task RemovedServiceClosesItsPort()
    {
        var port = FreePort.Next();
        _state.UpsertService(LoadBalancer("web", port));
        _state.UpsertEndpointSlice(Slice("web", 1, ("198.18.64.1", NodeName)));
        Sync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);

        _state.DeleteService(new ObjectName("default", "web"));
        Sync();
        Assert.DoesNotContain(port, _servers.OpenPorts);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await FreePort.IsClosedAsync(port))
        {
            Assert.True(DateTime.UtcNow < deadline, $"port {port} still accepts connections after the Service was removed");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task ClusterPolicyServiceOpensNothing()
    {
        var port = FreePort.Next();
        _state.UpsertService(LoadBalancer("web", port) with { ExternalTrafficPolicy = TrafficPolicy.Cluster, HealthCheckNodePort = 0 });
        Sync();
        Assert.Empty(_servers.OpenPorts);
        Assert.True(await FreePort.IsClosedAsync(port));
    }

    [Fact]
    public async Task TakenPortIsLoggedAndOthersStillOpen()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var taken = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var free = FreePort.Next();
        _state.UpsertService(LoadBalancer("taken", taken));
        _state.UpsertService(LoadBalancer("free", free) with { ClusterIPs = new[] { IPAddress.Parse("198.18.100.11") } });
        _state.UpsertEndpointSlice(Slice("free", 1, ("198.18.64.1", NodeName)));

        Sync();
        Sync(); // a second sync neither throws nor retries noisily

        Assert.DoesNotContain(taken, _servers.OpenPorts);
        Assert.Contains(free, _servers.OpenPorts);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"http://127.0.0.1:{free}/")).StatusCode);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("FailedToStartServiceHealthcheck", warning.Message);
        Assert.Contains(taken.ToString(System.Globalization.CultureInfo.InvariantCulture), warning.Message);
        Assert.Contains("default/taken", warning.Message);
    }
}
