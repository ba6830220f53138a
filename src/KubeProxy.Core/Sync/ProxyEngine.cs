using System.Diagnostics;
using KubeProxy.Core.Events;
using KubeProxy.Core.Health;
using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sources;
using KubeProxy.Core.Tracking;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Core.Sync;

/// <summary>
/// The one-way pipeline: source events go into <see cref="ClusterState"/>, the runner asks for a sync, each family's
/// <see cref="SnapshotBuilder"/> produces a snapshot from what changed, its <see cref="IDataPlane"/> applies it, and
/// post-sync hooks (conntrack, health-check node ports) follow. Nothing is programmed before Services and
/// EndpointSlices have both been listed once.
/// </summary>
public sealed class ProxyEngine : IProxyEventSink
{
    private readonly object _lock = new();
    private readonly ProxyEngineOptions _options;
    private readonly ClusterState _state;
    private readonly Dictionary<IPFamily, FamilyPipeline> _pipelines = [];
    private readonly IReadOnlyList<IPostSyncHook> _hooks;
    private readonly ProxyHealth _health;
    private readonly ProxyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BoundedFrequencyRunner _runner;
    private readonly DateTimeOffset _startTime;
    private bool _servicesSynced;
    private bool _slicesSynced;

    public ProxyEngine(
        ProxyEngineOptions options,
        IEnumerable<IDataPlane> dataPlanes,
        IEnumerable<IPostSyncHook> hooks,
        ProxyHealth health,
        ProxyMetrics metrics,
        ILogger logger,
        TimeProvider time,
        IServiceEventRecorder? events = null)
    {
        _options = options;
        _state = new ClusterState(options.Families);
        _hooks = hooks.ToList();
        _health = health;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _startTime = time.GetUtcNow();
        var planes = dataPlanes.ToDictionary(p => p.Family);
        foreach (var family in options.Families)
        {
            var builder = new SnapshotBuilder(family, options.NodeName, options.PreferSameTrafficDistribution)
            {
                OnWrongFamilyEndpoint = (slice, ep) =>
                {
                    // Upstream logs and emits KubeProxyIncorrectIPVersion on the Service (endpointslicecache.go); the
                    // recorder deduplicates, since this runs whenever the Service's slices are merged.
                    EngineLog.WrongFamilyEndpoint(_logger, slice.Name, $"{ep.FirstAddress}", family.Label());
                    events?.IncorrectIPVersion(slice.Service, "endpointslice", $"{ep.FirstAddress}");
                },
            };
            _pipelines[family] = new FamilyPipeline(family, builder, planes[family]);
        }
        _runner = new BoundedFrequencyRunner(SyncOnce, options.MinSyncPeriod, options.SyncPeriod, options.SyncPeriod, time);
    }

    /// <summary>Raised after every sync attempt of a family (tests and tools wait on it).</summary>
    public event Action<ProxySnapshot, bool>? Synced;

    public bool SourcesSynced
    {
        get { lock (_lock) return _servicesSynced && _slicesSynced; }
    }

    public long SyncRuns => _runner.Runs;

    /// <summary>The last snapshot applied successfully per family.</summary>
    public ProxySnapshot? LastApplied(IPFamily family)
    {
        lock (_lock) return _pipelines.TryGetValue(family, out var p) ? p.LastApplied : null;
    }

    public Task RunAsync(CancellationToken cancellationToken) => _runner.LoopAsync(cancellationToken);

    /// <summary>Request a sync (coalesced, rate-limited by the min sync period).</summary>
    public void RequestSync() => _runner.Run();

    public void OnServiceUpsert(Service service) => Change(s => s.UpsertService(service), sliceFamily: null);

    public void OnServiceDelete(ObjectName name) => Change(s => s.DeleteService(name), sliceFamily: null);

    public void OnEndpointSliceUpsert(EndpointSlice slice) => Change(s => s.UpsertEndpointSlice(slice), _ => slice.AddressType);

    public void OnEndpointSliceDelete(ObjectName name) => Change(s => s.DeleteEndpointSlice(name), s => s.GetEndpointSlice(name)?.AddressType);

    public void OnNodeUpsert(Node node)
    {
        if (node.Name != _options.NodeName)
        {
            EngineLog.OtherNode(_logger, node.Name, _options.NodeName);
            return;
        }
        SetNode(node);
    }

    public void OnNodeDelete(string name)
    {
        if (name == _options.NodeName) SetNode(null);
    }

    public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs)
    {
        // Not a Service change: upstream's OnServiceCIDRsChanged touches no change counter.
        bool changed;
        lock (_lock) changed = _state.SetServiceCidrs(cidrs);
        if (changed) Queued();
    }

    public void OnServicesSynced()
    {
        lock (_lock) _servicesSynced = true;
        EngineLog.SourcesSynced(_logger, true, _slicesSynced);
        _runner.Run();
    }

    public void OnEndpointSlicesSynced()
    {
        lock (_lock) _slicesSynced = true;
        EngineLog.SourcesSynced(_logger, _servicesSynced, true);
        _runner.Run();
    }

    private void SetNode(Node? node)
    {
        _health.SetNode(node);
        lock (_lock)
        {
            var oldLabels = _state.Node?.Labels;
            if (!_state.SetNode(node)) return;
            if (oldLabels is not null && node is not null && !oldLabels.SequenceEqual(node.Labels))
            {
                EngineLog.NodeLabelsChanged(_logger, node.Name);
                foreach (var p in _pipelines.Values) p.NeedFullSync = true;
            }
        }
        Queued();
    }

    /// <param name="sliceFamily">null for a Service event; for an EndpointSlice event, reads its address type (before
    /// the change is applied, so that a delete still finds the slice; null when the slice is unknown).</param>
    private void Change(Func<ClusterState, bool> apply, Func<ClusterState, IPFamily?>? sliceFamily)
    {
        lock (_lock)
        {
            var family = sliceFamily?.Invoke(_state);
            var changed = apply(_state);
            foreach (var (f, _) in _pipelines)
            {
                var label = f.Label();
                var pending = _state.PendingFor(f);
                // Upstream counts every event its trackers receive, no-ops included (servicechangetracker.go Update,
                // endpointschangetracker.go EndpointSliceUpdate); a slice event reaches only the tracker of its
                // address type (metaproxier), a Service event every family's.
                if (sliceFamily is null) _metrics.ServiceChangesTotal.WithLabels(label).Inc();
                else if (family == f) _metrics.EndpointChangesTotal.WithLabels(label).Inc();
                _metrics.ServiceChangesPending.WithLabels(label).Set(pending.ServiceCount);
                _metrics.EndpointChangesPending.WithLabels(label).Set(pending.EndpointCount);
            }
            if (!changed) return;
        }
        Queued();
    }

    private void Queued()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        foreach (var family in _pipelines.Keys)
        {
            _health.QueuedUpdate(family);
            _metrics.SyncProxyRulesLastQueuedTimestamp.WithLabels(family.Label()).Set(now);
        }
        _runner.Run();
    }

    /// <summary>One sync of every family; false when any failed (the runner retries after the sync period).</summary>
    internal bool SyncOnce(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_servicesSynced || !_slicesSynced)
            {
                foreach (var family in _pipelines.Keys) EngineLog.WaitingForSources(_logger, family.Label());
                return true;
            }
        }

        var ok = true;
        foreach (var pipeline in _pipelines.Values)
        {
            ok &= SyncFamily(pipeline, cancellationToken);
        }
        return ok;
    }

    private bool SyncFamily(FamilyPipeline p, CancellationToken cancellationToken)
    {
        var label = p.Family.Label();
        var started = Stopwatch.GetTimestamp();
        ProxySnapshot snapshot;
        bool full;
        lock (_lock)
        {
            snapshot = p.Builder.Build(_state);
            _metrics.ServiceChangesPending.WithLabels(label).Set(0);
            _metrics.EndpointChangesPending.WithLabels(label).Set(0);
            var now = _time.GetUtcNow();
            full = p.NeedFullSync || snapshot.NodeChanged || now - p.LastFullSync >= _options.FullSyncPeriod;
        }

        try
        {
            var result = p.Plane.Sync(snapshot, full, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                p.NeedFullSync = false;
                if (full) p.LastFullSync = now;
                p.LastApplied = snapshot;
                p.NoLocal.Update(snapshot, full);
            }

            _health.Updated(p.Family);
            _metrics.SyncProxyRulesDuration.WithLabels(label).Observe(elapsed);
            (full ? _metrics.SyncFullProxyRulesDuration : _metrics.SyncPartialProxyRulesDuration).WithLabels(label).Observe(elapsed);
            _metrics.SyncProxyRulesLastTimestamp.WithLabels(label).Set(now.ToUnixTimeMilliseconds() / 1000.0);
            _metrics.NoLocalEndpoints.WithLabels(label, "internal").Set(p.NoLocal.Internal);
            _metrics.NoLocalEndpoints.WithLabels(label, "external").Set(p.NoLocal.External);
            foreach (var trigger in snapshot.LastChangeTriggerTimes.Values)
            {
                // Changes made before this proxy started would measure its startup, not programming latency
                // (upstream endpointschangetracker.go keeps only triggers after trackerStartTime).
                if (trigger <= _startTime) continue;
                var latency = (now - trigger).TotalSeconds;
                if (latency >= 0) _metrics.NetworkProgrammingDuration.WithLabels(label).Observe(latency);
            }

            EngineLog.Synced(_logger, label, full ? "full" : "partial", snapshot.ChangedServices.Count, snapshot.ServiceCount,
                result.RenderTime.TotalMilliseconds, result.ApplyTime.TotalMilliseconds, result.TransactionBytes);

            foreach (var hook in _hooks)
            {
                try
                {
                    hook.AfterSync(snapshot, full);
                }
                catch (Exception e)
                {
                    EngineLog.HookFailed(_logger, e, hook.GetType().Name, label);
                }
            }
            Synced?.Invoke(snapshot, true);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            lock (_lock) p.NeedFullSync = true;
            EngineLog.SyncFailed(_logger, e, label);
            Synced?.Invoke(snapshot, false);
            return false;
        }
    }

    private sealed class FamilyPipeline(IPFamily family, SnapshotBuilder builder, IDataPlane plane)
    {
        public IPFamily Family { get; } = family;

        public SnapshotBuilder Builder { get; } = builder;

        public IDataPlane Plane { get; } = plane;

        public bool NeedFullSync { get; set; } = true;

        public DateTimeOffset LastFullSync { get; set; } = DateTimeOffset.MinValue;

        public ProxySnapshot? LastApplied { get; set; }

        public NoLocalEndpointsCounter NoLocal { get; } = new();
    }
}
