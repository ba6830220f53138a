using KubeProxy.Bench.Scenarios;

namespace KubeProxy.Bench.Tests;

public class StartupMeasurementTests
{
    private const string Help = "# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds The last time proxy rules were successfully synced\n" +
        "# TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge\n";

    [Fact]
    public void Only_the_first_family_synced_is_not_the_first_sync()
    {
        // The IPv6 series does not exist until IPv6 has synced once.
        var metrics = Help + "kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family=\"IPv4\"} 1764740000.5\n";
        Assert.False(StartupMeasurement.AllFamiliesSynced(metrics, StartupMeasurement.Families));
    }

    [Fact]
    public void Both_families_with_a_timestamp_are_the_first_sync()
    {
        var metrics = Help +
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family=\"IPv4\"} 1764740000.5\n" +
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family=\"IPv6\"} 1764740001.25\n" +
            "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family=\"IPv6\"} 1764740001\n";
        Assert.True(StartupMeasurement.AllFamiliesSynced(metrics, StartupMeasurement.Families));
    }

    [Fact]
    public void A_zero_timestamp_or_another_metric_does_not_count()
    {
        var metrics = Help +
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family=\"IPv4\"} 1764740000.5\n" +
            "kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family=\"IPv6\"} 0\n" +
            "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family=\"IPv6\"} 1764740001\n";
        Assert.False(StartupMeasurement.AllFamiliesSynced(metrics, StartupMeasurement.Families));
        Assert.False(StartupMeasurement.AllFamiliesSynced("", StartupMeasurement.Families));
    }
}
