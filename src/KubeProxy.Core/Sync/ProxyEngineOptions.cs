using KubeProxy.Core.Model;

namespace KubeProxy.Core.Sync;

/// <summary>What the engine needs to know; the host derives it from flags and the config file.</summary>
public sealed record ProxyEngineOptions
{
    public required string NodeName { get; init; }

    /// <summary>Families with a pipeline, primary first.</summary>
    public required IReadOnlyList<IPFamily> Families { get; init; }

    public TimeSpan MinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A full resync at least this often even without failures (upstream FullSyncPeriod).</summary>
    public TimeSpan FullSyncPeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Feature gate PreferSameTrafficDistribution (GA in 1.35): honour forNodes hints.</summary>
    public bool PreferSameTrafficDistribution { get; init; } = true;
}
