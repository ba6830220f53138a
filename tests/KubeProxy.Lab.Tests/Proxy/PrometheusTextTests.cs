using KubeProxy.Lab.Proxy;

namespace KubeProxy.Lab.Tests.Proxy;

public sealed class PrometheusTextTests
{
    private const string Text = """
        # HELP kubeproxy_sync_proxy_rules_duration_seconds SyncProxyRules latency in seconds
        # TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram
        kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="IPv4",le="0.001"} 3
        kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="IPv4",le="+Inf"} 7
        kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} 1.7000000001e+09
        kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv6"} 12
        odd_label{path="a \"quoted\" \\ value"} NaN
        process_start_time_seconds 5 1700000000000
        """;

    [Fact]
    public void ParsesSamplesWithLabelsAndValues()
    {
        var samples = PrometheusText.Parse(Text);

        Assert.Equal(6, samples.Count);
        Assert.Equal(7, PrometheusText.Sum(samples, "kubeproxy_sync_proxy_rules_duration_seconds_bucket",
            new Dictionary<string, string> { ["le"] = "+Inf" }));
        Assert.Equal("a \"quoted\" \\ value", samples.Single(s => s.Name == "odd_label").Labels["path"]);
        Assert.Equal(5, PrometheusText.Sum(samples, "process_start_time_seconds"));
    }

    [Fact]
    public void SumsAcrossFamiliesUnlessFiltered()
    {
        var samples = PrometheusText.Parse(Text);

        Assert.Equal(1.7000000001e9 + 12, PrometheusText.Sum(samples, "kubeproxy_sync_proxy_rules_last_timestamp_seconds"));
        Assert.Equal(12, PrometheusText.Sum(samples, "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
            new Dictionary<string, string> { ["ip_family"] = "IPv6" }));
        Assert.Null(PrometheusText.Sum(samples, "kubeproxy_missing"));
    }

    [Fact]
    public void RefusesGarbage() => Assert.Throws<FormatException>(() => PrometheusText.Parse("metric{a=1} 2"));
}
