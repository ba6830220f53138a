namespace KubeProxy.Sources.Kubernetes;

/// <summary>Settings of the Kubernetes API source. Only <see cref="NodeName"/> is required; the rest follow client-go.</summary>
public sealed record KubernetesApiSourceOptions
{
    /// <summary>This node's name: the Node object watched (field selector metadata.name=NODE).</summary>
    public required string NodeName { get; init; }

    /// <summary>--config-sync-period (default 15m): how often each resource is relisted and diffed against the local
    /// store. Only real differences are delivered, so a resync normally delivers nothing. Zero disables it.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Items per list page.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>A list page not answered within this is retried.</summary>
    public TimeSpan ListTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each watch asks the server to end it after a random time in [WatchTimeout, 2×WatchTimeout).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch silent past its timeout plus this grace is treated as hung and replaced.</summary>
    public TimeSpan WatchIdleGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a failure; it doubles per failure (±20% jitter) up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A watch healthy this long resets the backoff.</summary>
    public TimeSpan BackoffResetAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Watch networking.k8s.io/v1 ServiceCIDRs (skipped quietly when the server does not serve them).</summary>
    public bool WatchServiceCidrs { get; init; } = true;

    /// <summary>Post a 'Starting' event for this node (events.k8s.io/v1), as upstream does; never blocks syncing.</summary>
    public bool RecordStartingEvent { get; init; } = true;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
