using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using KubeProxy.Core.Health;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sync;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Http;

/// <summary>
/// One HTTP server (<see cref="HealthCheckListener"/>) per healthCheckNodePort of a LoadBalancer Service with
/// externalTrafficPolicy Local, opened and closed after each sync as such Services come and go. Any path answers 200 when this node has local Ready
/// endpoints for the Service and the proxy is healthy, else 503, so the cloud load balancer only sends traffic to
/// nodes that can serve it without a second hop.
/// </summary>
public sealed partial class ServiceHealthServers : IPostSyncHook, IAsyncDisposable
{
    private readonly IPFamily _family;
    private readonly ProxyHealth _health;
    private readonly Func<ProxySnapshot, IReadOnlyList<IPAddress>> _bindAddresses;
    private readonly ILogger _logger;
    private readonly Dictionary<int, HealthCheckListener> _servers = [];
    private readonly ConcurrentDictionary<int, (ObjectName Service, int LocalEndpoints)> _state = new();
    private readonly HashSet<int> _failed = [];

    /// <param name="family">The family whose snapshots drive the servers (the primary one: a port is opened once).</param>
    public ServiceHealthServers(IPFamily family, ProxyHealth health, Func<ProxySnapshot, IReadOnlyList<IPAddress>> bindAddresses, ILogger logger)
    {
        _family = family;
        _health = health;
        _bindAddresses = bindAddresses;
        _logger = logger;
    }

    public IReadOnlyCollection<int> OpenPorts => _servers.Keys;

    public void AfterSync(ProxySnapshot snapshot, bool fullSync)
    {
        if (snapshot.Family != _family) return;
        var desired = new Dictionary<int, (ObjectName, int)>();
        foreach (var (service, names) in snapshot.PortsByService)
        {
            // Upstream counts distinct local Ready endpoint IPs of the Service, whatever the number of ports.
            var healthPort = 0;
            var local = new HashSet<IPAddress>();
            foreach (var name in names)
            {
                var port = snapshot.ServicePorts[name];
                if (port.Info.HealthCheckNodePort == 0) continue;
                healthPort = port.Info.HealthCheckNodePort;
                foreach (var ep in port.AllEndpoints)
                {
                    if (ep.IsLocal && ep.Ready) local.Add(ep.IP);
                }
            }
            if (healthPort != 0) desired[healthPort] = (service, local.Count);
        }

        foreach (var port in _servers.Keys.Where(p => !desired.ContainsKey(p)).ToList())
        {
            _servers[port].DisposeAsync().AsTask().GetAwaiter().GetResult();
            _servers.Remove(port);
            _state.TryRemove(port, out _);
            Log.Closed(_logger, port);
        }
        _failed.IntersectWith(desired.Keys);

        foreach (var (port, value) in desired)
        {
            _state[port] = value;
            if (_servers.ContainsKey(port) || _failed.Contains(port)) continue;
            var addresses = _bindAddresses(snapshot).Select(a => new IPEndPoint(a, port)).ToList();
            if (addresses.Count == 0) continue;
            try
            {
                _servers[port] = HealthCheckListener.Start(addresses, () => Answer(port));
                Log.Opened(_logger, port, value.Item1);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                // Upstream emits FailedToStartServiceHealthcheck; a taken port must not stop the proxy.
                _failed.Add(port);
                Log.BindFailed(_logger, e, port, value.Item1);
            }
        }
    }

    private HealthCheckListener.Answer Answer(int port)
    {
        if (!_state.TryGetValue(port, out var entry)) return new HealthCheckListener.Answer(503, 0, "");
        var healthy = _health.Report().Healthy;
        var ok = entry.LocalEndpoints > 0 && healthy;
        var body = JsonSerializer.Serialize(new Body(new ServiceRef(entry.Service.Namespace, entry.Service.Name), entry.LocalEndpoints, healthy), HttpJsonContext.Default.Body);
        return new HealthCheckListener.Answer(ok ? 200 : 503, entry.LocalEndpoints, body);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values) await server.DisposeAsync().ConfigureAwait(false);
        _servers.Clear();
    }

    internal sealed record ServiceRef(string Namespace, string Name);

    internal sealed record Body(ServiceRef Service, int LocalEndpoints, bool ServiceProxyHealthy);

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Information, "Opened health check node port {Port} for service {Service}")]
        public static partial void Opened(ILogger logger, int port, ObjectName service);

        [LoggerMessage(3002, LogLevel.Information, "Closed health check node port {Port}")]
        public static partial void Closed(ILogger logger, int port);

        [LoggerMessage(3003, LogLevel.Warning, "FailedToStartServiceHealthcheck: could not listen on health check node port {Port} for service {Service}")]
        public static partial void BindFailed(ILogger logger, Exception exception, int port, ObjectName service);
    }
}
