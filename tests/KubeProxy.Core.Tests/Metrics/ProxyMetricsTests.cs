using KubeProxy.Core.Metrics;
using KubeProxy.Core.Tests.Support;

namespace KubeProxy.Core.Tests.Metrics;

/// <summary>Metric names and label sets as upstream publishes them (pkg/proxy/metrics).</summary>
public sealed class ProxyMetricsTests
{
    [Fact]
    public void EveryMetricHasItsUpstreamNameAndLabels()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var m = new ProxyMetrics(registry);
        foreach (var h in new[] { m.SyncProxyRulesDuration, m.SyncFullProxyRulesDuration, m.SyncPartialProxyRulesDuration, m.NetworkProgrammingDuration, m.ConntrackSyncDuration })
        {
            h.WithLabels("IPv4").Observe(0.5);
        }
        foreach (var g in new[] { m.SyncProxyRulesLastTimestamp, m.SyncProxyRulesLastQueuedTimestamp, m.EndpointChangesPending, m.ServiceChangesPending })
        {
            g.WithLabels("IPv4").Set(1);
        }
        foreach (var c in new[] { m.EndpointChangesTotal, m.ServiceChangesTotal, m.NftablesSyncFailures, m.NftablesCleanupFailures, m.ConntrackDeletedEntries })
        {
            c.WithLabels("IPv4").Inc();
        }
        m.NoLocalEndpoints.WithLabels("IPv4", "internal").Set(1);
        m.HealthzTotal.WithLabels("200").Inc();
        m.LivezTotal.WithLabels("503").Inc();

        string[] expected =
        [
            "kubeproxy_sync_proxy_rules_duration_seconds_count",
            "kubeproxy_sync_full_proxy_rules_duration_seconds_count",
            "kubeproxy_sync_partial_proxy_rules_duration_seconds_count",
            "kubeproxy_network_programming_duration_seconds_count",
            "kubeproxy_conntrack_reconciler_sync_duration_seconds_count",
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
            "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
            "kubeproxy_sync_proxy_rules_endpoint_changes_pending",
            "kubeproxy_sync_proxy_rules_service_changes_pending",
            "kubeproxy_sync_proxy_rules_endpoint_changes_total",
            "kubeproxy_sync_proxy_rules_service_changes_total",
            "kubeproxy_sync_proxy_rules_nftables_sync_failures_total",
            "kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total",
            "kubeproxy_conntrack_reconciler_deleted_entries_total",
        ];
        foreach (var name in expected) Assert.Equal(1, MetricsReader.Value(registry, name, ("ip_family", "IPv4")));
        Assert.Equal(1, MetricsReader.Value(registry, "kubeproxy_sync_proxy_rules_no_local_endpoints_total", ("ip_family", "IPv4"), ("traffic_policy", "internal")));
        Assert.Equal(1, MetricsReader.Value(registry, "kubeproxy_proxy_healthz_total", ("code", "200")));
        Assert.Equal(1, MetricsReader.Value(registry, "kubeproxy_proxy_livez_total", ("code", "503")));
    }

    [Fact]
    public void SyncHistogramsUseUpstreamBuckets()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var m = new ProxyMetrics(registry);
        m.SyncProxyRulesDuration.WithLabels("IPv4").Observe(0.001);
        m.NetworkProgrammingDuration.WithLabels("IPv4").Observe(1);
        var text = MetricsReader.Export(registry);

        // 1 ms doubling 15 times: 0.001 .. 16.384.
        Assert.Contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family=\"IPv4\",le=\"0.001\"} 1", text);
        Assert.Contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family=\"IPv4\",le=\"16.384\"} 1", text);
        Assert.DoesNotContain("le=\"32.768\"", text);
        // 0.25 s, 0.5 s, 1..59 s, 60..115 s by 5, 120..300 s by 30.
        foreach (var le in new[] { "0.25", "0.5", "1", "59", "60", "115", "120", "300" })
        {
            Assert.Contains($"kubeproxy_network_programming_duration_seconds_bucket{{ip_family=\"IPv4\",le=\"{le}\"}}", text);
        }
        Assert.DoesNotContain("kubeproxy_network_programming_duration_seconds_bucket{ip_family=\"IPv4\",le=\"330\"}", text);
    }
}
