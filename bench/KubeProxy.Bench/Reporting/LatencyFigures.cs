namespace KubeProxy.Bench.Reporting;

/// <summary>
/// TCP connect time from a client namespace to a ClusterIP (DNAT to a pod behind the node namespace) with
/// <see cref="Services"/> Services programmed by the real kube-proxy, and the same path straight to the pod's address.
/// </summary>
internal sealed record FirstPacketFigures
{
    public required int Services { get; init; }

    public required int EndpointsPerService { get; init; }

    /// <summary>Connects to the ClusterIP, each from a new source port (a new conntrack entry: the full nft lookup).</summary>
    public required LatencyStats ClusterIP { get; init; }

    /// <summary>Connects to the pod's own address over the same namespaces: the path without the Service lookup and DNAT.</summary>
    public required LatencyStats Direct { get; init; }

    /// <summary>kube-proxy start to its first sync of both families, with this many Services (context, not a target).</summary>
    public required double FirstSyncMs { get; init; }

    /// <summary>1-minute load average when the connects ran.</summary>
    public required double LoadAverage { get; init; }

    /// <summary>ClusterIP p50 minus direct p50: what the Service lookup and DNAT add to a connect.</summary>
    public double ServiceOverheadP50Ms => ClusterIP.P50Ms - Direct.P50Ms;
}

/// <summary>
/// Network programming latency under EndpointSlice churn: from each slice's last-change-trigger-time to the rules in
/// the kernel, read from kube-proxy's kubeproxy_network_programming_duration_seconds histogram and, independently,
/// from <c>nft monitor</c> in the node namespace.
/// </summary>
internal sealed record ChurnFigures
{
    public required int Services { get; init; }

    public required int EndpointsPerService { get; init; }

    /// <summary>The <c>--iptables-min-sync-period</c> kube-proxy ran with ("0s", or "1s" = the default).</summary>
    public required string MinSyncPeriod { get; init; }

    public required double ChangesPerSecond { get; init; }

    /// <summary>EndpointSlice updates the churn made (each moves one endpoint of a different Service).</summary>
    public required int Changes { get; init; }

    public required double DurationSeconds { get; init; }

    /// <summary>Observations the histogram gained during the churn (one per changed Service per sync).</summary>
    public required double HistogramObservations { get; init; }

    /// <summary>p50 from the histogram's buckets (interpolated inside a bucket, as histogram_quantile), in ms.</summary>
    public required double HistogramP50Ms { get; init; }

    public required double HistogramP99Ms { get; init; }

    /// <summary>Trigger time to the new endpoint's rule appearing in <c>nft monitor</c>, per change; null when not measured.</summary>
    public LatencyStats? Kernel { get; init; }

    /// <summary>Syncs kube-proxy made during the churn (sum over families of kubeproxy_sync_proxy_rules_duration_seconds_count).</summary>
    public required double Syncs { get; init; }

    /// <summary>Mean duration of those syncs (kubeproxy_sync_proxy_rules_duration_seconds sum / count), in ms: the floor under the latency.</summary>
    public double MeanSyncMs { get; init; } = double.NaN;

    /// <summary>
    /// Syncs and mean sync time per IP family ("IPv4", "IPv6"): the churn changes only IPv4 slices, so the IPv6 figures
    /// show what a sync of a family with nothing to do costs when the engine syncs every family in turn.
    /// </summary>
    public Dictionary<string, FamilySyncs> SyncsByFamily { get; init; } = [];

    public required double FirstSyncMs { get; init; }

    public required double LoadAverage { get; init; }
}

/// <summary>Syncs of one IP family during the churn and their mean duration in ms.</summary>
internal sealed record FamilySyncs(double Syncs, double MeanSyncMs);
