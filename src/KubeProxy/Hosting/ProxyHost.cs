using System.Net;
using KubeProxy.Core.Health;
using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sources;
using KubeProxy.Core.Sync;
using KubeProxy.Http;
using KubeProxy.Nftables;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>
/// The composition root: builds one pipeline per IP family for the chosen mode, the health and metrics servers and
/// the post-sync steps, then runs the source and the sync loop until cancelled. Rules are left in place on exit so
/// traffic keeps flowing while the proxy restarts.
/// </summary>
public sealed partial class ProxyHost
{
    private readonly ProxyHostOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ProxyHost(ProxyHostOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("kube-proxy");
        _time = time ?? TimeProvider.System;
    }

    public IReadOnlyList<IPFamily> Families =>
        _options.Families ?? (_options.BindAddress?.Family() == IPFamily.IPv6 ? [IPFamily.IPv6, IPFamily.IPv4] : [IPFamily.IPv4, IPFamily.IPv6]);

    /// <summary>Runs until cancelled; returns the process exit code.</summary>
    public async Task<int> RunAsync(IProxySource source, CancellationToken cancellationToken)
    {
        var families = Families;
        var metrics = new ProxyMetrics(Prometheus.Metrics.DefaultRegistry);
        var health = new ProxyHealth(_time, _options.SyncPeriod * 2, families);

        var planes = new List<IDataPlane>();
        foreach (var family in families)
        {
            planes.Add(CreateDataPlane(family, metrics));
        }

        await using var serviceHealth = new ServiceHealthServers(families[0], health, HealthCheckBindAddresses,
            _loggerFactory.CreateLogger("service-health"));
        var hooks = new List<IPostSyncHook> { serviceHealth };

        var engine = new ProxyEngine(
            new ProxyEngineOptions
            {
                NodeName = _options.NodeName,
                Families = families,
                MinSyncPeriod = _options.MinSyncPeriod,
                SyncPeriod = _options.SyncPeriod,
                PreferSameTrafficDistribution = _options.FeatureGates.GetValueOrDefault("PreferSameTrafficDistribution", true),
            },
            planes, hooks, health, metrics, _loggerFactory.CreateLogger("sync"), _time);

        var servers = new List<HttpEndpoint>();
        try
        {
            if (_options.HealthzBindAddress is { } healthz)
            {
                var server = await StartServerAsync("healthz", healthz, new HealthzHandler(health, metrics).HandleAsync).ConfigureAwait(false);
                if (server is null && _options.BindAddressHardFail) return 1;
                if (server is not null) servers.Add(server);
            }
            if (_options.MetricsBindAddress is { } metricsAddress)
            {
                var handler = new MetricsHandler(metrics, _options.Mode, () => _options.ConfigJson);
                var server = await StartServerAsync("metrics", metricsAddress, handler.HandleAsync).ConfigureAwait(false);
                if (server is null && _options.BindAddressHardFail) return 1;
                if (server is not null) servers.Add(server);
            }

            Log.Starting(_logger, _options.Mode, _options.NodeName, string.Join(",", families.Select(f => f.Label())));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var loop = engine.RunAsync(stop.Token);
            var sourceTask = source.RunAsync(engine, stop.Token);
            var first = await Task.WhenAny(loop, sourceTask).ConfigureAwait(false);
            if (first.IsFaulted && !cancellationToken.IsCancellationRequested)
            {
                Log.Fatal(_logger, first.Exception!.GetBaseException(), first == sourceTask ? "source" : "sync loop");
                await stop.CancelAsync().ConfigureAwait(false);
                return 1;
            }
            await stop.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(loop, sourceTask).ConfigureAwait(false); } catch (OperationCanceledException) { }
            Log.Stopped(_logger);
            return 0;
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    private IDataPlane CreateDataPlane(IPFamily family, ProxyMetrics metrics)
    {
        return _options.Mode switch
        {
            "nftables" => new NftablesDataPlane(
                new NftablesOptions
                {
                    Family = family,
                    MasqueradeAll = _options.MasqueradeAll,
                    MasqueradeBit = _options.MasqueradeBit,
                    LocalDetectMode = _options.LocalDetectMode,
                    ClusterCidrs = _options.ClusterCidrs.Where(c => c.Family() == family).ToList(),
                    BridgeInterface = _options.BridgeInterface,
                    InterfaceNamePrefix = _options.InterfaceNamePrefix,
                    NodePortCidrs = _options.NodePortCidrs.Where(c => c.Family() == family).ToList(),
                    NodePortPrimary = _options.NodePortPrimary,
                },
                new NftProcessRunner(), metrics, _loggerFactory.CreateLogger($"nftables-{family.Label()}"), _time),
            _ => throw new NotSupportedException($"proxy mode {_options.Mode} is not implemented yet"),
        };
    }

    /// <summary>Health-check node ports listen where NodePorts are accepted.</summary>
    private IReadOnlyList<IPAddress> HealthCheckBindAddresses(ProxySnapshot snapshot)
    {
        if (_options.NodePortPrimary)
        {
            return snapshot.Node.PrimaryIP is { } ip ? [ip] : [snapshot.Family == IPFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any];
        }
        if (_options.NodePortCidrs.Count == 0 || _options.NodePortCidrs.Any(c => c.PrefixLength == 0))
        {
            return [snapshot.Family == IPFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any];
        }
        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => _options.NodePortCidrs.Any(c => c.Contains(a)))
            .ToList();
    }

    private async Task<HttpEndpoint?> StartServerAsync(string what, IPEndPoint address, Microsoft.AspNetCore.Http.RequestDelegate handler)
    {
        try
        {
            var server = await HttpEndpoint.StartAsync([address], handler).ConfigureAwait(false);
            Log.Serving(_logger, what, address.ToString());
            return server;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            Log.ServerFailed(_logger, e, what, address.ToString());
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "Starting kube-proxy in {Mode} mode on node {Node} ({Families})")]
        public static partial void Starting(ILogger logger, string mode, string node, string families);

        [LoggerMessage(2002, LogLevel.Information, "Serving {What} on {Address}")]
        public static partial void Serving(ILogger logger, string what, string address);

        [LoggerMessage(2003, LogLevel.Error, "Could not serve {What} on {Address}")]
        public static partial void ServerFailed(ILogger logger, Exception exception, string what, string address);

        [LoggerMessage(2004, LogLevel.Critical, "The {What} failed; exiting (rules stay in place)")]
        public static partial void Fatal(ILogger logger, Exception exception, string what);

        [LoggerMessage(2005, LogLevel.Information, "Stopped; the rules stay in place so traffic keeps flowing")]
        public static partial void Stopped(ILogger logger);
    }
}
