using KubeProxy.Configuration;

namespace KubeProxy.Tests.Configuration;

public class KubeProxyConfigurationLoaderTests
{
    private const string Header = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n";

    [Fact]
    public void Loads_a_full_yaml_file()
    {
        var result = KubeProxyConfigurationLoader.Parse(Header + """
            bindAddress: 198.18.0.10
            clientConnection:
              kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
              qps: 7.5
              burst: 20
            clusterCIDR: 198.18.64.0/18,fd00:198:18::/56
            configSyncPeriod: 10m
            conntrack:
              maxPerCore: 0
              tcpEstablishedTimeout: 2h
              tcpBeLiberal: true
              udpTimeout: 30s
            detectLocalMode: ClusterCIDR
            featureGates:
              ContextualLogging: false
            iptables:
              masqueradeAll: true
              masqueradeBit: 12
              minSyncPeriod: 2s
              syncPeriod: 1m
            ipvs:
              excludeCIDRs: [198.19.0.0/24]
              scheduler: wrr
            mode: nftables
            nftables:
              masqueradeBit: 9
              syncPeriod: 45s
              minSyncPeriod: 500ms
            nodePortAddresses:
            - 198.18.0.0/24
            - fd00::/64
            oomScoreAdj: -500
            logging:
              verbosity: 4
              vmodule:
              - filePattern: proxier*
                verbosity: 6
            """);

        var c = result.Configuration;
        Assert.Empty(result.Warnings);
        Assert.Equal("198.18.0.10", c.BindAddress);
        Assert.Equal("/var/lib/kube-proxy/kubeconfig.conf", c.ClientConnection.Kubeconfig);
        Assert.Equal(7.5f, c.ClientConnection.Qps);
        Assert.Equal(20, c.ClientConnection.Burst);
        Assert.Equal("198.18.64.0/18,fd00:198:18::/56", c.ClusterCIDR);
        Assert.Equal(GoDuration.FromMinutes(10), c.ConfigSyncPeriod);
        Assert.Equal(0, c.Conntrack.MaxPerCore);
        Assert.Equal(KubeProxyConfigurationDefaults.ConntrackMin, c.Conntrack.Min);
        Assert.Equal(GoDuration.FromHours(2), c.Conntrack.TcpEstablishedTimeout);
        Assert.True(c.Conntrack.TcpBeLiberal);
        Assert.Equal(GoDuration.FromSeconds(30), c.Conntrack.UdpTimeout);
        Assert.Equal(new Dictionary<string, bool> { ["ContextualLogging"] = false }, c.FeatureGates);
        Assert.True(c.IPTables.MasqueradeAll);
        Assert.Equal(12, c.IPTables.MasqueradeBit);
        Assert.Equal(["198.19.0.0/24"], c.IPVS.ExcludeCIDRs);
        Assert.Equal("wrr", c.IPVS.Scheduler);
        Assert.Equal("nftables", c.Mode);
        Assert.Equal(9, c.NFTables.MasqueradeBit);
        Assert.Equal(GoDuration.Parse("500ms"), c.NFTables.MinSyncPeriod);
        Assert.Equal(["198.18.0.0/24", "fd00::/64"], c.NodePortAddresses);
        Assert.Equal(-500, c.OomScoreAdj);
        Assert.Equal(4, c.Logging.Verbosity);
        Assert.Equal([new VModuleItem("proxier*", 6)], c.Logging.VModule);

        // Defaults fill what the file leaves out.
        Assert.Equal("0.0.0.0:10256", c.HealthzBindAddress);
        Assert.Equal("127.0.0.1:10249", c.MetricsBindAddress);
        Assert.Equal(KubeProxyConfigurationDefaults.ContentType, c.ClientConnection.ContentType);
    }

    [Fact]
    public void Loads_json()
    {
        var result = KubeProxyConfigurationLoader.Parse("""
            {
              "apiVersion": "kubeproxy.config.k8s.io/v1alpha1",
              "kind": "KubeProxyConfiguration",
              "mode": "ipvs",
              "ipvs": {"minSyncPeriod": "5s", "strictARP": true, "excludeCIDRs": ["198.19.0.0/24"]},
              "nodePortAddresses": ["primary"],
              "oomScoreAdj": -998,
              "clientConnection": {"qps": 50}
            }
            """);

        var c = result.Configuration;
        Assert.Equal("ipvs", c.Mode);
        Assert.Equal(GoDuration.FromSeconds(5), c.IPVS.MinSyncPeriod);
        Assert.True(c.IPVS.StrictARP);
        Assert.Equal(["primary"], c.NodePortAddresses);
        Assert.Equal(-998, c.OomScoreAdj);
        Assert.Equal(50f, c.ClientConnection.Qps);
    }

    [Fact]
    public void Unknown_fields_are_a_warning_like_upstream_lenient_fallback()
    {
        var result = KubeProxyConfigurationLoader.Parse(Header + """
            udpIdleTimeout: 250ms
            mode: iptables
            iptables:
              masqueradeBit: 10
              bogus: 1
            """);

        Assert.Equal("iptables", result.Configuration.Mode);
        Assert.Equal(10, result.Configuration.IPTables.MasqueradeBit);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(
            "Using lenient decoding as strict decoding failed: strict decoding error: " +
            "unknown field \"iptables.bogus\", unknown field \"udpIdleTimeout\"",
            warning);
    }

    [Fact]
    public void Unknown_fields_are_an_error_naming_the_field_in_strict_mode()
    {
        var e = Assert.Throws<ConfigurationException>(() =>
            KubeProxyConfigurationLoader.Parse(Header + "conntrack:\n  maxPerCPU: 3\n", strict: true));
        Assert.Equal("failed to decode config file: strict decoding error: unknown field \"conntrack.maxPerCPU\"", e.Message);
    }

    [Fact]
    public void Field_names_are_case_sensitive()
    {
        var result = KubeProxyConfigurationLoader.Parse(Header + "Mode: ipvs\n");
        Assert.Equal(string.Empty, result.Configuration.Mode);
        Assert.Contains("unknown field \"Mode\"", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_fields_are_reported_and_the_last_wins()
    {
        var result = KubeProxyConfigurationLoader.Parse(Header + "mode: ipvs\nmode: nftables\n");
        Assert.Equal("nftables", result.Configuration.Mode);
        Assert.Contains("duplicate field \"mode\"", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: kubeproxy.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n", "no kind \"KubeProxyConfiguration\" is registered for version \"kubeproxy.config.k8s.io/v1beta1\"")]
    [InlineData("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeletConfiguration\n", "no kind \"KubeletConfiguration\" is registered")]
    [InlineData("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nmode: ipvs\n", "config file has no \"kind\"")]
    [InlineData("kind: KubeProxyConfiguration\n", "config file has no \"apiVersion\"")]
    [InlineData("", "config file is empty")]
    [InlineData("- a\n- b\n", "config file is not an object")]
    public void Wrong_type_meta_is_an_error(string text, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => KubeProxyConfigurationLoader.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iptables:\n  masqueradeBit: fourteen\n", "cannot decode iptables.masqueradeBit: expected int32, got string \"fourteen\"")]
    [InlineData("iptables:\n  masqueradeBit: 14.5\n", "cannot decode iptables.masqueradeBit: expected int32, got number 14.5")]
    [InlineData("oomScoreAdj: 3000000000\n", "cannot decode oomScoreAdj: expected int32, got number 3000000000")]
    [InlineData("showHiddenMetricsForVersion: 1.34\n", "cannot decode showHiddenMetricsForVersion: expected string, got number 1.34")]
    [InlineData("mode: yes\n", "cannot decode mode: expected string, got bool true")]
    [InlineData("configSyncPeriod: 30\n", "cannot decode configSyncPeriod: expected duration string, got number 30")]
    [InlineData("configSyncPeriod: 30x\n", "cannot decode configSyncPeriod: time: unknown unit \"x\" in duration \"30x\"")]
    [InlineData("nodePortAddresses: primary\n", "cannot decode nodePortAddresses: expected []string, got string \"primary\"")]
    [InlineData("conntrack: 5\n", "cannot decode conntrack: expected object, got number 5")]
    [InlineData("featureGates:\n  Foo: maybe\n", "cannot decode featureGates.Foo: expected bool, got string \"maybe\"")]
    public void Wrong_types_are_errors_naming_the_field(string body, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => KubeProxyConfigurationLoader.Parse(Header + body));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_scalars_resolve_like_go_yaml()
    {
        var c = KubeProxyConfigurationLoader.Parse(Header + """
            bindAddressHardFail: on
            iptables:
              masqueradeBit: 0x0e
            oomScoreAdj: 1_0
            showHiddenMetricsForVersion: "1.34"
            portRange: 1000-2000
            """, strict: true);

        var cfg = c.Configuration;
        Assert.True(cfg.BindAddressHardFail);
        Assert.Equal(14, cfg.IPTables.MasqueradeBit);
        Assert.Equal(10, cfg.OomScoreAdj);
        Assert.Equal("1.34", cfg.ShowHiddenMetricsForVersion);
        Assert.Equal("1000-2000", cfg.PortRange);
    }

    [Fact]
    public void Quoted_true_is_not_a_bool()
    {
        var e = Assert.Throws<ConfigurationException>(() => KubeProxyConfigurationLoader.Parse(Header + "enableProfiling: \"true\"\n"));
        Assert.Contains("cannot decode enableProfiling: expected bool, got string \"true\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_leaves_the_default()
    {
        var c = KubeProxyConfigurationLoader.Parse(Header + "oomScoreAdj: null\nmode: ~\nconntrack:\n  min:\n").Configuration;
        Assert.Equal(-999, c.OomScoreAdj);
        Assert.Equal(string.Empty, c.Mode);
        Assert.Equal(KubeProxyConfigurationDefaults.ConntrackMin, c.Conntrack.Min);
    }

    [Fact]
    public void Anchors_and_merge_keys_work()
    {
        var c = KubeProxyConfigurationLoader.Parse(Header + """
            iptables: &sync
              syncPeriod: 40s
              minSyncPeriod: 4s
            nftables:
              <<: *sync
              minSyncPeriod: 2s
            """).Configuration;
        Assert.Equal(GoDuration.FromSeconds(40), c.NFTables.SyncPeriod);
        Assert.Equal(GoDuration.FromSeconds(2), c.NFTables.MinSyncPeriod);
    }

    [Fact]
    public void Malformed_yaml_is_an_error_with_a_line()
    {
        var e = Assert.Throws<ConfigurationException>(() => KubeProxyConfigurationLoader.Parse(Header + "mode: [ipvs\n"));
        Assert.StartsWith("yaml: line ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loads_a_file_and_hashes_its_content()
    {
        var path = Path.Combine(Path.GetTempPath(), "kp-cfg-" + Guid.NewGuid().ToString("N") + ".yaml");
        try
        {
            File.WriteAllText(path, Header + "mode: nftables\n");
            var result = KubeProxyConfigurationLoader.LoadFile(path);
            Assert.Equal("nftables", result.Configuration.Mode);
            Assert.Equal(KubeProxyConfigurationLoader.Hash(File.ReadAllBytes(path)), result.ContentHash);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => KubeProxyConfigurationLoader.LoadFile("/nonexistent/kp.yaml"));
        Assert.Contains("\"/nonexistent/kp.yaml\"", e.Message, StringComparison.Ordinal);
    }
}
