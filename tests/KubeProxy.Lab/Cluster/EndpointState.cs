namespace KubeProxy.Lab.Cluster;

/// <summary>
/// Where a pod is in its life, as the EndpointSlice controller turns it into endpoint conditions
/// (ready, serving, terminating).
/// </summary>
public enum EndpointState
{
    /// <summary>Running and passing its readiness probe: ready, serving, not terminating.</summary>
    Ready,

    /// <summary>Running but failing its readiness probe: not ready, not serving, not terminating.</summary>
    NotReady,

    /// <summary>Deleted, still in its grace period and still passing readiness: not ready, serving, terminating.</summary>
    ServingTerminating,

    /// <summary>Deleted and no longer passing readiness: not ready, not serving, terminating.</summary>
    NotServingTerminating,
}
