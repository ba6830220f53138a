using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sync;
using KubeProxy.Linux.Conntrack;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>
/// After a successful sync that touched a UDP or SCTP Service (or after any full sync), removes conntrack entries
/// that would keep sending a client to an endpoint that is gone, over ctnetlink. One reconciler per family, because
/// each remembers the Services it saw last time (to clean up after deleted ones).
/// </summary>
internal sealed class ConntrackCleanupHook : IPostSyncHook
{
    private readonly Dictionary<IPFamily, ConntrackReconciler> _reconcilers = [];
    private readonly Dictionary<IPFamily, ProxySnapshot?> _previous = [];
    private readonly ProxyMetrics _metrics;

    public ConntrackCleanupHook(IConntrack conntrack, IEnumerable<IPFamily> families, ProxyMetrics metrics, ILoggerFactory loggerFactory)
    {
        _metrics = metrics;
        foreach (var family in families)
        {
            _reconcilers[family] = new ConntrackReconciler(conntrack, loggerFactory.CreateLogger<ConntrackReconciler>());
            _previous[family] = null;
        }
    }

    public void AfterSync(ProxySnapshot snapshot, bool fullSync)
    {
        if (!_reconcilers.TryGetValue(snapshot.Family, out var reconciler)) return;
        var previous = fullSync ? null : _previous[snapshot.Family];
        _previous[snapshot.Family] = snapshot;
        if (!reconciler.IsCleanupRequired(previous, snapshot)) return;

        var result = reconciler.CleanStaleEntries(snapshot);
        var label = snapshot.Family.Label();
        _metrics.ConntrackSyncDuration.WithLabels(label).Observe(result.Duration.TotalSeconds);
        if (result.Deleted > 0) _metrics.ConntrackDeletedEntries.WithLabels(label).Inc(result.Deleted);
    }
}
