namespace KubeProxy.Sources.Kubernetes.Reflection;

internal enum WatchOutcomeKind
{
    /// <summary>The reflector is shutting down.</summary>
    Cancelled,

    /// <summary>The server ended the stream cleanly (its timeout): watch again from the last version.</summary>
    Closed,

    /// <summary>Connection refused or dropped, an HTTP error, or silence past the deadline: back off, watch again from the last version.</summary>
    Failed,

    /// <summary>410 Gone / Expired: the last version is compacted away; relist.</summary>
    Expired,

    /// <summary>Another ERROR event (or an undecodable event): events may be lost; relist after a backoff.</summary>
    ErrorEvent,

    /// <summary>The resync period elapsed; relist.</summary>
    Resync,
}

/// <summary>How one watch ended, with the number of events it delivered, how long it lasted and how long the server
/// asked the client to wait (Retry-After).</summary>
internal readonly record struct WatchOutcome(WatchOutcomeKind Kind, string Reason, int Events, TimeSpan Duration)
{
    public TimeSpan RetryAfter { get; init; }
}
