using System.Net;
using KubeProxy.Configuration;
using KubeProxy.Core.Events;
using KubeProxy.Core.Health;
using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sources;
using KubeProxy.Core.Sync;
using KubeProxy.Http;
using KubeProxy.Linux.Conntrack;
using KubeProxy.Linux.Netlink;
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
    private readonly ProxyOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _configJson;

    private readonly IServiceEventRecorder? _events;

    /// <param name="configJson">The effective configuration, served at /configz.</param>
    /// <param name="events">Where Kubernetes events about Services go (the API source's recorder); null records none.</param>
    public ProxyHost(ProxyOptions options, ILoggerFactory loggerFactory, string configJson = "{}", TimeProvider? time = null,
        IServiceEventRecorder? events = null)
    {
        _events = events;
        _configJson = configJson;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("kube-proxy");
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Both families run, as upstream does on a dual-stack capable kernel; the primary one (first) follows
    /// bindAddress when set. It decides where the health-check node ports listen.
    /// </summary>
    public IReadOnlyList<IPFamily> Families =>
        _options.NodeIPOverride?.Family() == IPFamily.IPv6 ? [IPFamily.IPv6, IPFamily.IPv4] : [IPFamily.IPv4, IPFamily.IPv6];

    public string ModeName => _options.Mode.ToConfigString();

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

        // One set of health-check servers per family, each on that family's node-port addresses, as upstream.
        var serviceHealth = families
            .Select(f => new ServiceHealthServers(f, health, HealthCheckBindAddresses, _loggerFactory.CreateLogger("service-health")))
            .ToList();
        var hooks = new List<IPostSyncHook>(serviceHealth);
        using var conntrack = OpenConntrack();
        if (conntrack is not null) hooks.Add(new ConntrackCleanupHook(conntrack, families, metrics, _loggerFactory));
        // Last, so that it also collects what the other hooks left behind.
        hooks.Add(new MemoryTrimHook(families, _loggerFactory.CreateLogger("memory")));

        var engine = new ProxyEngine(
            new ProxyEngineOptions
            {
                NodeName = _options.NodeName,
                Families = families,
                MinSyncPeriod = _options.MinSyncPeriod,
                SyncPeriod = _options.SyncPeriod,
                PreferSameTrafficDistribution = _options.IsFeatureEnabled("PreferSameTrafficDistribution"),
            },
            planes, hooks, health, metrics, _loggerFactory.CreateLogger("sync"), _time, _events);

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
                var handler = new MetricsHandler(metrics, ModeName, () => _configJson);
                var server = await StartServerAsync("metrics", metricsAddress, handler.HandleAsync).ConfigureAwait(false);
                if (server is null && _options.BindAddressHardFail) return 1;
                if (server is not null) servers.Add(server);
            }

            Log.Starting(_logger, ModeName, _options.NodeName, string.Join(",", families.Select(f => f.Label())));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            string? fatal = null;
            using var podCidrGate = _options.DetectLocalMode == LocalMode.NodeCIDR
                ? new NodePodCidrGate(engine, _options.NodeName, reason =>
                {
                    // The rules hold the old pod CIDRs: stop and exit non-zero, as upstream, so the supervisor restarts us.
                    // Cancelled asynchronously: this runs inside the source's call into the sink.
                    Volatile.Write(ref fatal, reason);
                    _ = stop.CancelAsync();
                }, _loggerFactory.CreateLogger("node-podcidr"), _time)
                : null;
            IProxyEventSink sink = podCidrGate is null ? engine : podCidrGate;
            var loop = engine.RunAsync(stop.Token);
            var sourceTask = source.RunAsync(sink, stop.Token);
            var first = await Task.WhenAny(loop, sourceTask).ConfigureAwait(false);
            if (first.IsFaulted && !cancellationToken.IsCancellationRequested && Volatile.Read(ref fatal) is null)
            {
                Log.Fatal(_logger, first.Exception!.GetBaseException(), first == sourceTask ? "source" : "sync loop");
                await stop.CancelAsync().ConfigureAwait(false);
                return 1;
            }
            await stop.CancelAsync().ConfigureAwait(false);
            try { await Task.WhenAll(loop, sourceTask).ConfigureAwait(false); } catch (OperationCanceledException) { }
            if (Volatile.Read(ref fatal) is { } reason)
            {
                Log.Exiting(_logger, reason);
                return 1;
            }
            Log.Stopped(_logger);
            return 0;
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync().ConfigureAwait(false);
            foreach (var s in serviceHealth) await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The ctnetlink client for stale-flow cleanup; without it (no permission, no module) the proxy still runs.</summary>
    private ConntrackClient? OpenConntrack()
    {
        try
        {
            return ConntrackClient.Open();
        }
        catch (Exception e) when (e is NetlinkException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            Log.NoConntrack(_logger, e);
            return null;
        }
    }

    private IDataPlane CreateDataPlane(IPFamily family, ProxyMetrics metrics)
    {
        return _options.Mode switch
        {
            ProxyMode.NFTables => new NftablesDataPlane(
                new NftablesOptions
                {
                    Family = family,
                    MasqueradeAll = _options.MasqueradeAll,
                    MasqueradeBit = _options.MasqueradeBit,
                    LocalDetectMode = _options.DetectLocalMode switch
                    {
                        LocalMode.ClusterCIDR => LocalDetectMode.ClusterCIDR,
                        LocalMode.NodeCIDR => LocalDetectMode.NodeCIDR,
                        LocalMode.BridgeInterface => LocalDetectMode.BridgeInterface,
                        LocalMode.InterfaceNamePrefix => LocalDetectMode.InterfaceNamePrefix,
                        _ => LocalDetectMode.None,
                    },
                    ClusterCidrs = _options.ClusterCidrs.Where(c => c.Family() == family).ToList(),
                    BridgeInterface = _options.BridgeInterface,
                    InterfaceNamePrefix = _options.InterfaceNamePrefix,
                    NodePortCidrs = _options.NodePortAddresses.CidrsOf(family).ToList(),
                    NodePortPrimary = _options.NodePortAddresses.UsePrimary,
                    ServiceTables = _options.NftablesServiceTables,
                },
                new NftProcessRunner(), metrics, _loggerFactory.CreateLogger($"nftables-{family.Label()}"), _time,
                netlink: new NftNetlinkApplier()),
            _ => throw new NotSupportedException($"proxy mode {ModeName} is not implemented yet; use --proxy-mode nftables"),
        };
    }

    /// <summary>Health-check node ports listen where NodePorts are accepted.</summary>
    private IReadOnlyList<IPAddress> HealthCheckBindAddresses(ProxySnapshot snapshot)
    {
        var primaryFamily = snapshot.Family == Families[0];
        var any = snapshot.Family == IPFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        if (_options.NodePortAddresses.UsePrimary)
        {
            if (snapshot.Node.PrimaryIP is { } ip) return [ip];
            return primaryFamily ? [any] : [];
        }
        var cidrs = _options.NodePortAddresses.CidrsOf(snapshot.Family).ToList();
        if (cidrs.Count == 0 || cidrs.Any(c => c.PrefixLength == 0))
        {
            // Every address: one wildcard listener, in the primary family, serves both.
            return primaryFamily ? [any] : [];
        }
        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => cidrs.Any(c => c.Contains(a)))
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
        [LoggerMessage(9001, LogLevel.Information, "Starting kube-proxy in {Mode} mode on node {Node} ({Families})")]
        public static partial void Starting(ILogger logger, string mode, string node, string families);

        [LoggerMessage(9002, LogLevel.Information, "Serving {What} on {Address}")]
        public static partial void Serving(ILogger logger, string what, string address);

        [LoggerMessage(2003, LogLevel.Error, "Could not serve {What} on {Address}")]
        public static partial void ServerFailed(ILogger logger, Exception exception, string what, string address);

        [LoggerMessage(2004, LogLevel.Critical, "The {What} failed; exiting (rules stay in place)")]
        public static partial void Fatal(ILogger logger, Exception exception, string what);

        [LoggerMessage(2006, LogLevel.Warning, "Conntrack cleanup is disabled: cannot open ctnetlink")]
        public static partial void NoConntrack(ILogger logger, Exception exception);

        [LoggerMessage(2007, LogLevel.Critical, "Exiting with status 1: {Reason} (rules stay in place)")]
        public static partial void Exiting(ILogger logger, string reason);

        [LoggerMessage(9005, LogLevel.Information, "Stopped; the rules stay in place so traffic keeps flowing")]
        public static partial void Stopped(ILogger logger);
    }
}
