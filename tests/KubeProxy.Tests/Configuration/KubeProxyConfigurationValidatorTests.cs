using KubeProxy.Configuration;

namespace KubeProxy.Tests.Configuration;

public class KubeProxyConfigurationValidatorTests
{
    private static KubeProxyConfiguration Valid(Action<KubeProxyConfiguration>? change = null)
    {
        var c = new KubeProxyConfiguration();
        KubeProxyConfigurationDefaults.Apply(c);
        change?.Invoke(c);
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        return c;
    }

    private static string[] Errors(Action<KubeProxyConfiguration> change) =>
        [.. KubeProxyConfigurationValidator.Validate(Valid(change)).Select(e => e.ToString())];

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(KubeProxyConfigurationValidator.Validate(Valid()));

    [Theory]
    [InlineData("iptables")]
    [InlineData("ipvs")]
    [InlineData("nftables")]
    [InlineData("userspace")]
    public void Every_mode_is_valid_with_defaults(string mode) =>
        Assert.Empty(KubeProxyConfigurationValidator.Validate(Valid(c => c.Mode = mode)));

    [Fact]
    public void Unknown_mode() => Assert.Equal(
        ["KubeProxyConfiguration.mode: Invalid value: \"kernelspace\": must be iptables, ipvs, nftables, userspace or blank (blank means the best-available proxy [currently iptables])"],
        Errors(c => c.Mode = "kernelspace"));

    [Fact]
    public void Cluster_cidr_must_be_a_cidr() => Assert.Equal(
        ["KubeProxyConfiguration.clusterCIDR: Invalid value: \"10.0.0.0/33\": must be a valid CIDR"],
        Errors(c => c.ClusterCIDR = "10.0.0.0/33"));

    [Theory]
    [InlineData("198.18.64.0/18,198.19.0.0/16")]
    [InlineData("fd00::/64,fd01::/64")]
    public void Cluster_cidr_pair_must_be_one_per_family(string cidrs) => Assert.Equal(
        [$"KubeProxyConfiguration.clusterCIDR: Invalid value: \"{cidrs}\": must be a single CIDR or a dual-stack pair of CIDRs (e.g. 10.100.0.0/16,fde4:8dba:82e1::/48)"],
        Errors(c => c.ClusterCIDR = cidrs));

    [Fact]
    public void Cluster_cidr_allows_at_most_two() => Assert.Single(
        Errors(c => c.ClusterCIDR = "198.18.0.0/16,fd00::/64,198.19.0.0/16"));

    [Fact]
    public void Cluster_cidr_dual_stack_pair_is_valid() =>
        Assert.Empty(Errors(c => c.ClusterCIDR = "198.18.64.0/18,fd00:198:18::/56"));

    [Fact]
    public void Cluster_cidr_is_only_checked_in_cluster_cidr_mode()
    {
        Assert.Empty(Errors(c =>
        {
            c.DetectLocalMode = "NodeCIDR";
            c.ClusterCIDR = "not-a-cidr";
        }));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(32)]
    public void Masquerade_bit_range(int bit) => Assert.Equal(
        [$"KubeProxyConfiguration.iptables.masqueradeBit: Invalid value: {bit}: must be within the range [0, 31]"],
        Errors(c => c.IPTables.MasqueradeBit = bit));

    [Fact]
    public void Nftables_masquerade_bit_is_checked_in_nftables_mode_only()
    {
        Assert.Empty(Errors(c => c.NFTables.MasqueradeBit = 40));
        Assert.Equal(
            ["KubeProxyConfiguration.nftables.masqueradeBit: Invalid value: 40: must be within the range [0, 31]"],
            Errors(c =>
            {
                c.Mode = "nftables";
                c.NFTables.MasqueradeBit = 40;
            }));
    }

    [Fact]
    public void Sync_period_must_be_positive_in_the_active_section() => Assert.Equal(
        ["KubeProxyConfiguration.nftables.syncPeriod: Invalid value: -1s: must be greater than 0"],
        Errors(c =>
        {
            c.Mode = "nftables";
            c.NFTables.SyncPeriod = GoDuration.FromSeconds(-1);
            c.NFTables.MinSyncPeriod = GoDuration.FromSeconds(-2);
        }).Take(1));

    [Fact]
    public void Min_sync_period_may_not_be_negative() => Assert.Contains(
        "KubeProxyConfiguration.ipvs.minSyncPeriod: Invalid value: -1s: must be greater than or equal to 0",
        Errors(c =>
        {
            c.Mode = "ipvs";
            c.IPVS.MinSyncPeriod = GoDuration.FromSeconds(-1);
        }));

    [Fact]
    public void Min_sync_period_above_sync_period_is_an_error_as_upstream() => Assert.Equal(
        ["KubeProxyConfiguration.iptables.syncPeriod: Invalid value: 1m0s: must be greater than or equal to KubeProxyConfiguration.iptables.minSyncPeriod"],
        Errors(c => c.IPTables.MinSyncPeriod = GoDuration.FromMinutes(1)));

    [Fact]
    public void Inactive_sections_are_not_checked() =>
        Assert.Empty(Errors(c => c.IPVS.MinSyncPeriod = GoDuration.FromHours(1)));

    [Fact]
    public void Negative_conntrack_and_ipvs_values() => Assert.Equal(
        [
            "KubeProxyConfiguration.ipvs.tcpTimeout: Invalid value: -1s: must be greater than or equal to 0",
            "KubeProxyConfiguration.ipvs.excludeCIDRs[1]: Invalid value: \"bad\": must be a valid CIDR",
            "KubeProxyConfiguration.conntrack.maxPerCore: Invalid value: -1: must be greater than or equal to 0",
            "KubeProxyConfiguration.conntrack.min: Invalid value: -1: must be greater than or equal to 0",
            "KubeProxyConfiguration.conntrack.tcpEstablishedTimeout: Invalid value: -1s: must be greater than or equal to 0",
            "KubeProxyConfiguration.conntrack.tcpCloseWaitTimeout: Invalid value: -1s: must be greater than or equal to 0",
            "KubeProxyConfiguration.conntrack.udpTimeout: Invalid value: -1s: must be greater than or equal to 0",
            "KubeProxyConfiguration.conntrack.udpStreamTimeout: Invalid value: -1s: must be greater than or equal to 0",
            "KubeProxyConfiguration.oomScoreAdj: Invalid value: 1001: must be within the range [-1000, 1000]",
        ],
        Errors(c =>
        {
            var minus = GoDuration.FromSeconds(-1);
            c.Mode = "ipvs";
            c.IPVS.TcpTimeout = minus;
            c.IPVS.ExcludeCIDRs = ["198.19.0.0/24", "bad"];
            c.Conntrack.MaxPerCore = -1;
            c.Conntrack.Min = -1;
            c.Conntrack.TcpEstablishedTimeout = minus;
            c.Conntrack.TcpCloseWaitTimeout = minus;
            c.Conntrack.UdpTimeout = minus;
            c.Conntrack.UdpStreamTimeout = minus;
            c.OomScoreAdj = 1001;
        }));

    [Theory]
    [InlineData("198.18.0.1", "KubeProxyConfiguration.healthzBindAddress: Invalid value: \"198.18.0.1\": must be IP:port")]
    [InlineData("nothost:10256", "KubeProxyConfiguration.healthzBindAddress: Invalid value: \"nothost\": must be a valid IP")]
    [InlineData("0.0.0.0:0", "KubeProxyConfiguration.healthzBindAddress: Invalid value: \"0\": must be a valid port")]
    [InlineData("0.0.0.0:65536", "KubeProxyConfiguration.healthzBindAddress: Invalid value: \"65536\": must be a valid port")]
    [InlineData("0.0.0.0:http", "KubeProxyConfiguration.healthzBindAddress: Invalid value: \"http\": must be a valid port")]
    public void Healthz_bind_address(string address, string expected) =>
        Assert.Equal([expected], Errors(c => c.HealthzBindAddress = address));

    [Fact]
    public void Empty_healthz_disables_it_but_metrics_is_required()
    {
        Assert.Empty(Errors(c => c.HealthzBindAddress = string.Empty));
        Assert.Equal(
            ["KubeProxyConfiguration.metricsBindAddress: Invalid value: \"\": must be IP:port"],
            Errors(c => c.MetricsBindAddress = string.Empty));
    }

    [Fact]
    public void Bind_address_must_be_an_ip() => Assert.Equal(
        ["KubeProxyConfiguration.bindAddress: Invalid value: \"198.18.0.1:80\": not a valid textual representation of an IP address"],
        Errors(c => c.BindAddress = "198.18.0.1:80"));

    [Theory]
    [InlineData("primary")]
    [InlineData("198.18.0.0/24")]
    [InlineData("198.18.0.0/24,fd00::/64")]
    public void Node_port_addresses_valid(string list) => Assert.Empty(Errors(c => c.NodePortAddresses = [.. list.Split(',')]));

    [Theory]
    [InlineData("198.18.0.0/24,primary", "KubeProxyConfiguration.nodePortAddresses[1]: Invalid value: \"primary\": can't use both 'primary' and CIDRs")]
    [InlineData("primary,198.18.0.0/24", "KubeProxyConfiguration.nodePortAddresses[0]: Invalid value: \"primary\": can't use both 'primary' and CIDRs")]
    [InlineData("198.18.0.0/24,198.18.0.1", "KubeProxyConfiguration.nodePortAddresses[1]: Invalid value: \"198.18.0.1\": must be a valid CIDR")]
    [InlineData("localhost", "KubeProxyConfiguration.nodePortAddresses[0]: Invalid value: \"localhost\": must be a valid CIDR")]
    public void Node_port_addresses_invalid(string list, string expected) =>
        Assert.Equal([expected], Errors(c => c.NodePortAddresses = [.. list.Split(',')]));

    [Fact]
    public void Detect_local_mode_must_be_supported() => Assert.Equal(
        ["KubeProxyConfiguration.detectLocalMode: Unsupported value: \"PodCIDR\": supported values: \"ClusterCIDR\", \"NodeCIDR\", \"BridgeInterface\", \"InterfaceNamePrefix\", \"\""],
        Errors(c => c.DetectLocalMode = "PodCIDR"));

    [Fact]
    public void Bridge_interface_mode_needs_the_interface()
    {
        Assert.Equal(
            ["KubeProxyConfiguration.detectLocal.bridgeInterface: Invalid value: \"\": must not be empty"],
            Errors(c => c.DetectLocalMode = "BridgeInterface"));
        Assert.Empty(Errors(c =>
        {
            c.DetectLocalMode = "BridgeInterface";
            c.DetectLocal.BridgeInterface = "cbr0";
        }));
    }

    [Fact]
    public void Interface_name_prefix_mode_needs_the_prefix() => Assert.Equal(
        ["KubeProxyConfiguration.detectLocal.interfaceNamePrefix: Invalid value: \"\": must not be empty"],
        Errors(c => c.DetectLocalMode = "InterfaceNamePrefix"));

    [Fact]
    public void Config_sync_period_and_burst() => Assert.Equal(
        [
            "KubeProxyConfiguration.clientConnection.burst: Invalid value: -1: must be greater than or equal to 0",
            "KubeProxyConfiguration.configSyncPeriod: Invalid value: -1m0s: must be greater than 0",
        ],
        Errors(c =>
        {
            c.ClientConnection.Burst = -1;
            c.ConfigSyncPeriod = GoDuration.FromMinutes(-1);
        }));

    [Theory]
    [InlineData("1.34", true)]
    [InlineData("1.33", false)]
    [InlineData("v1.34", false)]
    public void Show_hidden_metrics_only_for_the_previous_minor(string version, bool valid) =>
        Assert.Equal(valid, Errors(c => c.ShowHiddenMetricsForVersion = version).Length == 0);

    [Theory]
    [InlineData("", true)]
    [InlineData("30000-32767", true)]
    [InlineData("30000+10", true)]
    [InlineData("8080", true)]
    [InlineData("2000-1000", false)]
    [InlineData("1-70000", false)]
    [InlineData("a-b", false)]
    public void Port_range(string range, bool valid) =>
        Assert.Equal(valid, Errors(c => c.PortRange = range).Length == 0);

    [Fact]
    public void Logging_format() => Assert.Equal(
        ["KubeProxyConfiguration.logging.format: Unsupported value: \"xml\": supported values: \"json\", \"text\""],
        Errors(c => c.Logging.Format = "xml"));

    [Fact]
    public void Several_errors_join_into_one_line()
    {
        var errors = KubeProxyConfigurationValidator.Validate(Valid(c =>
        {
            c.Mode = "bogus";
            c.OomScoreAdj = -2000;
        }));
        var line = FieldError.Join(errors);
        Assert.StartsWith("[KubeProxyConfiguration.oomScoreAdj: Invalid value: -2000", line, StringComparison.Ordinal);
        Assert.Contains(", KubeProxyConfiguration.mode: Invalid value: \"bogus\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }
}
