using KubeProxy.Configuration;

namespace KubeProxy.Tests.Configuration;

public class KubeProxyConfigurationDefaultsTests
{
    /// <summary>
    /// Upstream's golden file for an empty v1alpha1 config after defaulting and the internal round trip
    /// (pkg/proxy/apis/config/scheme/testdata/KubeProxyConfiguration/after/v1alpha1.yaml, 1.31+).
    /// </summary>
    internal const string UpstreamGolden = """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        bindAddress: 0.0.0.0
        bindAddressHardFail: false
        clientConnection:
          acceptContentTypes: ""
          burst: 10
          contentType: application/vnd.kubernetes.protobuf
          kubeconfig: ""
          qps: 5
        clusterCIDR: ""
        configSyncPeriod: 15m0s
        conntrack:
          maxPerCore: 32768
          min: 131072
          tcpBeLiberal: false
          tcpCloseWaitTimeout: 1h0m0s
          tcpEstablishedTimeout: 24h0m0s
          udpStreamTimeout: 0s
          udpTimeout: 0s
        detectLocal:
          bridgeInterface: ""
          interfaceNamePrefix: ""
        detectLocalMode: ""
        enableProfiling: false
        healthzBindAddress: 0.0.0.0:10256
        hostnameOverride: ""
        iptables:
          localhostNodePorts: true
          masqueradeAll: false
          masqueradeBit: 14
          minSyncPeriod: 1s
          syncPeriod: 30s
        ipvs:
          excludeCIDRs: null
          minSyncPeriod: 0s
          scheduler: ""
          strictARP: false
          syncPeriod: 0s
          tcpFinTimeout: 0s
          tcpTimeout: 0s
          udpTimeout: 0s
        kind: KubeProxyConfiguration
        logging:
          flushFrequency: 5s
          format: text
          options:
            json:
              infoBufferSize: "0"
            text:
              infoBufferSize: "0"
          verbosity: 0
        metricsBindAddress: 127.0.0.1:10249
        mode: ""
        nftables:
          masqueradeAll: false
          masqueradeBit: 14
          minSyncPeriod: 0s
          syncPeriod: 0s
        nodePortAddresses: null
        oomScoreAdj: -999
        portRange: ""
        showHiddenMetricsForVersion: ""
        winkernel:
          enableDSR: false
          forwardHealthCheckVip: false
          networkName: ""
          rootHnsEndpointName: ""
          sourceVip: ""

        """;

    private static KubeProxyConfiguration Defaulted(Action<KubeProxyConfiguration>? change = null)
    {
        var c = new KubeProxyConfiguration();
        change?.Invoke(c);
        KubeProxyConfigurationDefaults.Apply(c);
        return c;
    }

    [Fact]
    public void Defaults_written_out_equal_upstreams_golden_file() =>
        Assert.Equal(UpstreamGolden, KubeProxyConfigurationWriter.ToYaml(Defaulted()));

    [Fact]
    public void Loading_an_empty_config_gives_the_golden_file()
    {
        var loaded = KubeProxyConfigurationLoader.Parse(
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n");
        Assert.Equal(UpstreamGolden, KubeProxyConfigurationWriter.ToYaml(loaded.Configuration));
    }

    [Fact]
    public void Every_mode_section_gets_its_defaults()
    {
        var c = Defaulted();
        Assert.Equal((GoDuration.FromSeconds(30), GoDuration.FromSeconds(1)), (c.IPTables.SyncPeriod, c.IPTables.MinSyncPeriod));
        Assert.Equal((GoDuration.FromSeconds(30), GoDuration.Zero), (c.IPVS.SyncPeriod, c.IPVS.MinSyncPeriod));
        Assert.Equal((GoDuration.FromSeconds(30), GoDuration.FromSeconds(1)), (c.NFTables.SyncPeriod, c.NFTables.MinSyncPeriod));
        Assert.Equal((14, 14), (c.IPTables.MasqueradeBit, c.NFTables.MasqueradeBit));
        Assert.True(c.IPTables.LocalhostNodePorts);
        Assert.Equal(GoDuration.FromMinutes(15), c.ConfigSyncPeriod);
        Assert.Equal(GoDuration.FromHours(24), c.Conntrack.TcpEstablishedTimeout);
        Assert.Equal(GoDuration.FromHours(1), c.Conntrack.TcpCloseWaitTimeout);
        Assert.Equal((32768, 131072), (c.Conntrack.MaxPerCore, c.Conntrack.Min));
        Assert.Equal(-999, c.OomScoreAdj);
        Assert.NotNull(c.FeatureGates);
    }

    [Fact]
    public void Zero_durations_count_as_unset_like_upstream() =>
        Assert.Equal(GoDuration.FromSeconds(1), Defaulted(c => c.IPTables.MinSyncPeriod = GoDuration.Zero).IPTables.MinSyncPeriod);

    [Fact]
    public void Explicit_values_survive_defaulting()
    {
        var c = Defaulted(c =>
        {
            c.Conntrack.MaxPerCore = 0;
            c.Conntrack.TcpEstablishedTimeout = GoDuration.Zero;
            c.OomScoreAdj = 0;
            c.IPTables.LocalhostNodePorts = false;
        });
        Assert.Equal(0, c.Conntrack.MaxPerCore);
        Assert.Equal(GoDuration.Zero, c.Conntrack.TcpEstablishedTimeout);
        Assert.Equal(0, c.OomScoreAdj);
        Assert.False(c.IPTables.LocalhostNodePorts);
    }

    [Theory]
    [InlineData("fd00::10", "[::]:10256", "[::1]:10249")]
    [InlineData("198.18.0.1", "0.0.0.0:10256", "127.0.0.1:10249")]
    public void Health_and_metrics_defaults_follow_the_bind_address_family(string bind, string healthz, string metrics)
    {
        var c = Defaulted(c => c.BindAddress = bind);
        Assert.Equal((healthz, metrics), (c.HealthzBindAddress, c.MetricsBindAddress));
    }

    [Theory]
    [InlineData("198.18.0.1", "198.18.0.1:10256")]
    [InlineData("fd00::1", "[fd00::1]:10256")]
    [InlineData("198.18.0.1:8080", "198.18.0.1:8080")]
    public void A_bare_healthz_ip_gets_the_default_port(string configured, string expected) =>
        Assert.Equal(expected, Defaulted(c => c.HealthzBindAddress = configured).HealthzBindAddress);

    [Theory]
    [InlineData("", "iptables")]
    [InlineData("ipvs", "ipvs")]
    [InlineData("userspace", "userspace")]
    public void Platform_defaults_fill_the_mode(string mode, string expected)
    {
        var c = Defaulted(c => c.Mode = mode);
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        Assert.Equal(expected, c.Mode);
        Assert.Equal("ClusterCIDR", c.DetectLocalMode);
        Assert.Null(c.NodePortAddresses);
    }

    [Fact]
    public void Nftables_mode_defaults_node_port_addresses_to_primary()
    {
        var c = Defaulted(c => c.Mode = "nftables");
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        Assert.Equal(["primary"], c.NodePortAddresses);

        var explicitList = Defaulted(c =>
        {
            c.Mode = "nftables";
            c.NodePortAddresses = ["198.18.0.0/24"];
        });
        KubeProxyConfigurationDefaults.ApplyPlatform(explicitList);
        Assert.Equal(["198.18.0.0/24"], explicitList.NodePortAddresses);
    }
}
