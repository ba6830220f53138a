namespace KubeProxy.Lab.Proxy;

/// <summary>
/// Where kube-proxy's sync counters stood before a test changed something, so the test can wait until that
/// change has been synced (<see cref="KubeProxyMetrics.WaitForChangesSyncedAsync"/>).
/// </summary>
public sealed record SyncMark(double ChangesTotal, IReadOnlyDictionary<string, double> SyncCounts)
{
    public override string ToString() =>
        $"changes {ChangesTotal}, syncs {string.Join(", ", SyncCounts.Select(s => $"{s.Key}={s.Value}"))}";
}
