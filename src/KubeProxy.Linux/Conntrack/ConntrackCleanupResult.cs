using KubeProxy.Core.Model;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// One cleanup run. Feeds upstream's metrics: kubeproxy_conntrack_reconciler_sync_duration_seconds (histogram,
/// label ip_family) observes <see cref="Duration"/>; kubeproxy_conntrack_reconciler_deleted_entries_total
/// (counter, label ip_family) adds <see cref="Deleted"/>.
/// </summary>
public sealed record ConntrackCleanupResult(
    IPFamily Family,
    long Examined,
    int Stale,
    int Deleted,
    TimeSpan Duration,
    Exception? Error)
{
    public bool Succeeded => Error is null;
}
