namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>How one reflector lists and watches. Defaults follow client-go's reflector.</summary>
internal sealed record ReflectorSettings
{
    /// <summary>The resource's plural name, for log lines.</summary>
    public required string Resource { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Items per list page (client-go's pager uses 500).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>A list page that takes longer than this is abandoned and retried.</summary>
    public TimeSpan ListTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each watch asks the server to end it after a random time in [WatchTimeout, 2×WatchTimeout), as client-go does,
    /// so that watches spread over the API servers and none lives forever.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch silent for its whole timeout plus this grace is taken for a hung connection and dropped.</summary>
    public TimeSpan WatchIdleGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Relist (a diff against the store, delivering only changes) this often; zero disables.</summary>
    public TimeSpan ResyncPeriod { get; init; }

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A watch that stays up this long proves the server healthy again: the backoff starts over.</summary>
    public TimeSpan BackoffResetAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A 404 on list means the server lacks the API: stop quietly instead of retrying.</summary>
    public bool Optional { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public Random Random { get; init; } = Random.Shared;
}
