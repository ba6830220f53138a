using KubeProxy.Core.Model;
using Prometheus;

namespace KubeProxy.Core.Metrics;

/// <summary>
/// kube-proxy's metrics with upstream's names, help texts in spirit, buckets and labels (pkg/proxy/metrics).
/// Created against a registry so tests get their own; the host serves the default one.
/// </summary>
public sealed class ProxyMetrics
{
    private static readonly string[] FamilyLabel = ["ip_family"];

    public ProxyMetrics(CollectorRegistry registry)
    {
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        Registry = registry;
        // 1 ms doubling 15 times, as upstream's sync histograms.
        var syncBuckets = Histogram.ExponentialBuckets(0.001, 2, 15);
        SyncProxyRulesDuration = f.CreateHistogram("kubeproxy_sync_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds", new HistogramConfiguration { Buckets = syncBuckets, LabelNames = FamilyLabel });
        SyncFullProxyRulesDuration = f.CreateHistogram("kubeproxy_sync_full_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for full resyncs", new HistogramConfiguration { Buckets = syncBuckets, LabelNames = FamilyLabel });
        SyncPartialProxyRulesDuration = f.CreateHistogram("kubeproxy_sync_partial_proxy_rules_duration_seconds",
            "SyncProxyRules latency in seconds for partial resyncs", new HistogramConfiguration { Buckets = syncBuckets, LabelNames = FamilyLabel });
        NetworkProgrammingDuration = f.CreateHistogram("kubeproxy_network_programming_duration_seconds",
            "In Cluster Network Programming Latency in seconds",
            new HistogramConfiguration { Buckets = NetworkProgrammingBuckets(), LabelNames = FamilyLabel });
        SyncProxyRulesLastTimestamp = f.CreateGauge("kubeproxy_sync_proxy_rules_last_timestamp_seconds",
            "The last time proxy rules were successfully synced", new GaugeConfiguration { LabelNames = FamilyLabel });
        SyncProxyRulesLastQueuedTimestamp = f.CreateGauge("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
            "The last time a sync of proxy rules was queued", new GaugeConfiguration { LabelNames = FamilyLabel });
        EndpointChangesPending = f.CreateGauge("kubeproxy_sync_proxy_rules_endpoint_changes_pending",
            "Pending proxy rules Endpoint changes", new GaugeConfiguration { LabelNames = FamilyLabel });
        EndpointChangesTotal = f.CreateCounter("kubeproxy_sync_proxy_rules_endpoint_changes_total",
            "Cumulative proxy rules Endpoint changes", new CounterConfiguration { LabelNames = FamilyLabel });
        ServiceChangesPending = f.CreateGauge("kubeproxy_sync_proxy_rules_service_changes_pending",
            "Pending proxy rules Service changes", new GaugeConfiguration { LabelNames = FamilyLabel });
        ServiceChangesTotal = f.CreateCounter("kubeproxy_sync_proxy_rules_service_changes_total",
            "Cumulative proxy rules Service changes", new CounterConfiguration { LabelNames = FamilyLabel });
        NoLocalEndpoints = f.CreateGauge("kubeproxy_sync_proxy_rules_no_local_endpoints_total",
            "Number of services with a Local traffic policy and no endpoints",
            new GaugeConfiguration { LabelNames = ["ip_family", "traffic_policy"] });
        NftablesSyncFailures = f.CreateCounter("kubeproxy_sync_proxy_rules_nftables_sync_failures_total",
            "Cumulative proxy nftables sync failures", new CounterConfiguration { LabelNames = FamilyLabel });
        NftablesCleanupFailures = f.CreateCounter("kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total",
            "Cumulative proxy nftables cleanup failures", new CounterConfiguration { LabelNames = FamilyLabel });
        ConntrackDeletedEntries = f.CreateCounter("kubeproxy_conntrack_reconciler_deleted_entries_total",
            "Cumulative conntrack flows deleted by conntrack reconciler", new CounterConfiguration { LabelNames = FamilyLabel });
        ConntrackSyncDuration = f.CreateHistogram("kubeproxy_conntrack_reconciler_sync_duration_seconds",
            "ReconcileConntrackFlowsLatency latency in seconds",
            new HistogramConfiguration { Buckets = syncBuckets, LabelNames = FamilyLabel });
        HealthzTotal = f.CreateCounter("kubeproxy_proxy_healthz_total", "Cumulative proxy healthz HTTP status",
            new CounterConfiguration { LabelNames = ["code"] });
        LivezTotal = f.CreateCounter("kubeproxy_proxy_livez_total", "Cumulative proxy livez HTTP status",
            new CounterConfiguration { LabelNames = ["code"] });
    }

    public CollectorRegistry Registry { get; }

    public Histogram SyncProxyRulesDuration { get; }

    public Histogram SyncFullProxyRulesDuration { get; }

    public Histogram SyncPartialProxyRulesDuration { get; }

    public Histogram NetworkProgrammingDuration { get; }

    public Gauge SyncProxyRulesLastTimestamp { get; }

    public Gauge SyncProxyRulesLastQueuedTimestamp { get; }

    public Gauge EndpointChangesPending { get; }

    public Counter EndpointChangesTotal { get; }

    public Gauge ServiceChangesPending { get; }

    public Counter ServiceChangesTotal { get; }

    public Gauge NoLocalEndpoints { get; }

    public Counter NftablesSyncFailures { get; }

    public Counter NftablesCleanupFailures { get; }

    public Counter ConntrackDeletedEntries { get; }

    public Histogram ConntrackSyncDuration { get; }

    public Counter HealthzTotal { get; }

    public Counter LivezTotal { get; }

    public static string Label(IPFamily family) => family.Label();

    /// <summary>0.25 s to 5 min, denser at the low end, as upstream.</summary>
    private static double[] NetworkProgrammingBuckets()
    {
        var b = new List<double> { 0.25, 0.5 };
        for (var i = 1; i <= 59; i++) b.Add(i);
        for (var i = 0; i < 12; i++) b.Add(60 + (i * 5));
        for (var i = 0; i < 7; i++) b.Add(120 + (i * 30));
        return b.Distinct().Order().ToArray();
    }
}
