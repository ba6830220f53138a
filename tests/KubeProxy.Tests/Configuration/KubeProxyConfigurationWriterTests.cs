using KubeProxy.Configuration;

namespace KubeProxy.Tests.Configuration;

public class KubeProxyConfigurationWriterTests
{
    private static KubeProxyConfiguration Load(string body) => KubeProxyConfigurationLoader.Parse(
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body, strict: true).Configuration;

    private static KubeProxyConfiguration Complete(KubeProxyConfiguration c)
    {
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        return c;
    }

    [Fact]
    public void Written_config_reloads_to_the_same_effective_options()
    {
        var original = Complete(Load("""
            mode: nftables
            bindAddress: fd00::10
            healthzBindAddress: "[fd00::10]:10256"
            clusterCIDR: 198.18.64.0/18,fd00:198:18::/56
            nftables:
              masqueradeAll: true
              masqueradeBit: 5
              syncPeriod: 1m30s
              minSyncPeriod: 250ms
            nodePortAddresses: [198.18.0.0/24, fd00::/64]
            featureGates:
              ContextualLogging: false
            conntrack:
              udpTimeout: 45s
            logging:
              verbosity: 3
              vmodule:
              - filePattern: proxier
                verbosity: 5
            hostnameOverride: node-a
            """));

        var yaml = KubeProxyConfigurationWriter.ToYaml(original);
        var reloaded = Complete(KubeProxyConfigurationLoader.Parse(yaml, strict: true).Configuration);

        Assert.Equal(ProxyOptions.Create(original), ProxyOptions.Create(reloaded));
        Assert.Equal(yaml, KubeProxyConfigurationWriter.ToYaml(reloaded));
    }

    [Fact]
    public void Only_the_active_sections_keep_sync_periods_and_masquerade_all()
    {
        var yaml = KubeProxyConfigurationWriter.ToYaml(Complete(Load("mode: ipvs\nipvs:\n  syncPeriod: 20s\n  minSyncPeriod: 2s\niptables:\n  masqueradeAll: true\n")));
        Assert.Contains("ipvs:\n  excludeCIDRs: null\n  minSyncPeriod: 2s\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  syncPeriod: 20s\n  tcpFinTimeout", yaml, StringComparison.Ordinal);
        Assert.Contains("iptables:\n  localhostNodePorts: true\n  masqueradeAll: true\n  masqueradeBit: 14\n  minSyncPeriod: 0s\n  syncPeriod: 0s\n", yaml, StringComparison.Ordinal);
        Assert.Contains("nftables:\n  masqueradeAll: false\n  masqueradeBit: 14\n  minSyncPeriod: 0s\n  syncPeriod: 0s\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_maps_and_quoting_follow_go_yaml()
    {
        var yaml = KubeProxyConfigurationWriter.ToYaml(Complete(Load("""
            healthzBindAddress: "[::]:10256"
            nodePortAddresses: [198.18.0.0/24]
            featureGates: {ContextualLogging: false, AllBeta: true}
            showHiddenMetricsForVersion: "1.34"
            hostnameOverride: "yes"
            clientConnection:
              qps: 0.5
            """)));

        Assert.Contains("healthzBindAddress: '[::]:10256'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("nodePortAddresses:\n- 198.18.0.0/24\n", yaml, StringComparison.Ordinal);
        Assert.Contains("featureGates:\n  AllBeta: true\n  ContextualLogging: false\n", yaml, StringComparison.Ordinal);
        Assert.Contains("showHiddenMetricsForVersion: \"1.34\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("hostnameOverride: \"yes\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  qps: 0.5\n", yaml, StringComparison.Ordinal);
        Assert.Contains("mode: iptables\n", yaml, StringComparison.Ordinal);
        Assert.Contains("detectLocalMode: ClusterCIDR\n", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "\"\"")]
    [InlineData("0", "\"0\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("0.0.0.0:10256", "0.0.0.0:10256")]
    [InlineData("fd00::/64", "fd00::/64")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("it's", "it's")]
    [InlineData("'q'", "'''q'''")]
    [InlineData("#x", "'#x'")]
    [InlineData("x #y", "'x #y'")]
    [InlineData(" lead", "' lead'")]
    [InlineData("two\nlines", "\"two\\nlines\"")]
    [InlineData("1:20", "\"1:20\"")]
    public void String_scalars(string value, string expected) =>
        Assert.Equal(expected, YamlTreeWriter.Scalar(value));

    [Theory]
    [InlineData(5.0, "5")]
    [InlineData(0.5, "0.5")]
    [InlineData(1e6, "1e+06")]
    [InlineData(123456.0, "123456")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.25, "-2.25")]
    public void Floats_print_like_go(double value, string expected) => Assert.Equal(expected, GoFloat.FormatG(value));
}
