using System.Net;
using KubeProxy.Cli;
using KubeProxy.Configuration;

namespace KubeProxy.Tests.Cli;

public sealed class KubeProxyCommandLineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kp-cli-" + Guid.NewGuid().ToString("N"));

    public KubeProxyCommandLineTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CommandLineResult Parse(params string[] args) => KubeProxyCommandLine.Parse(args, () => "Test-Node");

    private string ConfigFile(string body)
    {
        var path = Path.Combine(_dir, "config.conf");
        File.WriteAllText(path, "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body);
        return path;
    }

    [Fact]
    public void No_arguments_runs_with_upstream_defaults()
    {
        var r = Parse();
        Assert.Equal(CliAction.Run, r.Action);
        Assert.Equal(0, r.ExitCode);
        var o = r.Options!;
        Assert.Equal(ProxyMode.IPTables, o.Mode);
        Assert.Equal("test-node", o.NodeName);
        Assert.Equal(TimeSpan.FromSeconds(30), o.SyncPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), o.MinSyncPeriod);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 10256), o.HealthzBindAddress);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Flags_build_the_configuration()
    {
        var r = Parse("--proxy-mode=nftables", "--iptables-sync-period=10s", "--iptables-min-sync-period=0s",
            "--masquerade-all", "--cluster-cidr=198.18.64.0/18", "--nodeport-addresses=198.18.0.0/24",
            "--hostname-override=Node-B", "--kubeconfig=/k.conf", "--master=https://198.18.0.1:6443",
            "--conntrack-max-per-core=0", "--oom-score-adj=-100", "-v", "5", "--manifests", "/m");
        var o = r.Options!;
        Assert.Equal(CliAction.Run, r.Action);
        Assert.Equal(ProxyMode.NFTables, o.Mode);
        Assert.Equal(TimeSpan.FromSeconds(10), o.SyncPeriod);
        Assert.Equal(TimeSpan.Zero, o.MinSyncPeriod);
        Assert.True(o.MasqueradeAll);
        Assert.Equal([IPNetwork.Parse("198.18.64.0/18")], o.ClusterCidrs);
        Assert.False(o.NodePortAddresses.UsePrimary);
        Assert.Equal("node-b", o.NodeName);
        Assert.Equal("/k.conf", o.ClientConnection.Kubeconfig);
        Assert.Equal("https://198.18.0.1:6443", o.ClientConnection.Master);
        Assert.Equal(0, o.Conntrack.MaxPerCore);
        Assert.Equal(-100, o.OomScoreAdj);
        Assert.Equal(5, o.Verbosity);
        Assert.Equal("/m", o.ManifestsDirectory);
        Assert.Null(o.ConfigFile);
    }

    [Fact]
    public void Nftables_service_tables_default_to_16_and_can_be_set()
    {
        Assert.Equal(16, Parse().Options!.NftablesServiceTables);
        Assert.Equal(1, Parse("--nftables-service-tables=1").Options!.NftablesServiceTables);
        Assert.Equal(64, Parse("--nftables-service-tables", "64").Options!.NftablesServiceTables);
    }

    [Fact]
    public void Iptables_sync_flags_do_not_apply_in_ipvs_mode_and_ipvs_keeps_the_1s_minimum()
    {
        var o = Parse("--proxy-mode=ipvs", "--iptables-sync-period=10s").Options!;
        Assert.Equal(TimeSpan.FromSeconds(30), o.SyncPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), o.MinSyncPeriod);

        o = Parse("--proxy-mode=ipvs", "--ipvs-sync-period=20s", "--ipvs-min-sync-period=0s").Options!;
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.Zero), (o.SyncPeriod, o.MinSyncPeriod));

        o = Parse("--ipvs-sync-period=20s").Options!;
        Assert.Equal(TimeSpan.FromSeconds(30), o.SyncPeriod);
    }

    [Fact]
    public void Deprecated_port_flags_set_or_disable_the_servers()
    {
        var r = Parse("--healthz-port=0", "--metrics-port=9999", "--metrics-bind-address=198.18.0.5");
        Assert.Null(r.Options!.HealthzBindAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.0.5"), 9999), r.Options.MetricsBindAddress);
        Assert.Equal(2, r.Warnings.Count(w => w.Contains("has been deprecated", StringComparison.Ordinal)));
    }

    [Fact]
    public void With_config_only_hostname_logging_and_options_flags_count_and_the_rest_are_named_in_a_warning()
    {
        var path = ConfigFile("mode: nftables\nhostnameOverride: from-file\nlogging:\n  verbosity: 1\n");
        var r = Parse("--config", path, "--proxy-mode=ipvs", "--masquerade-all", "--iptables-sync-period=5s",
            "--hostname-override=From-Flag", "-v=6", "--master=https://198.18.0.1:6443", "--healthz-port=0");

        Assert.Equal(CliAction.Run, r.Action);
        var o = r.Options!;
        Assert.Equal(ProxyMode.NFTables, o.Mode);
        Assert.False(o.MasqueradeAll);
        Assert.Equal(TimeSpan.FromSeconds(30), o.SyncPeriod);
        Assert.Equal("from-flag", o.NodeName);
        Assert.Equal(6, o.Verbosity);
        Assert.Equal("https://198.18.0.1:6443", o.ClientConnection.Master);
        Assert.NotNull(o.HealthzBindAddress);
        Assert.Equal(path, o.ConfigFile);
        Assert.Equal(path, r.ConfigFile);
        Assert.Equal(KubeProxyConfigurationLoader.Hash(File.ReadAllBytes(path)), r.ConfigContentHash);
        Assert.Contains(
            "--config is set, so these flags are ignored: --proxy-mode, --masquerade-all, --iptables-sync-period, --healthz-port " +
            "(only --hostname-override and the logging flags override the config file)",
            r.Warnings);
    }

    [Fact]
    public void Config_file_hostname_is_used_when_no_flag_overrides_it()
    {
        var r = Parse("--config=" + ConfigFile("hostnameOverride: Node-From-File\n"));
        Assert.Equal("node-from-file", r.Options!.NodeName);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Unknown_config_fields_are_a_warning()
    {
        var r = Parse("--config=" + ConfigFile("udpIdleTimeout: 250ms\n"));
        Assert.Equal(CliAction.Run, r.Action);
        Assert.Contains(r.Warnings, w => w.Contains("unknown field \"udpIdleTimeout\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--bogus", "unknown flag: --bogus")]
    [InlineData("--iptables-sync-period=forever", "invalid argument \"forever\" for \"--iptables-sync-period\" flag: time: invalid duration \"forever\"")]
    [InlineData("--iptables-masquerade-bit=40", "KubeProxyConfiguration.iptables.masqueradeBit: Invalid value: 40: must be within the range [0, 31] (set by --iptables-masquerade-bit)")]
    [InlineData("--proxy-mode=kernelspace", "KubeProxyConfiguration.mode: Invalid value: \"kernelspace\": must be iptables, ipvs, nftables, userspace or blank (blank means the best-available proxy [currently iptables]) (set by --proxy-mode)")]
    [InlineData("--nodeport-addresses=198.18.0.0/24,primary", "KubeProxyConfiguration.nodePortAddresses[1]: Invalid value: \"primary\": can't use both 'primary' and CIDRs (set by --nodeport-addresses)")]
    [InlineData("--cluster-cidr=198.18.0.0/33", "KubeProxyConfiguration.clusterCIDR: Invalid value: \"198.18.0.0/33\": must be a valid CIDR (set by --cluster-cidr)")]
    [InlineData("--detect-local-mode=BridgeInterface", "KubeProxyConfiguration.detectLocal.bridgeInterface: Invalid value: \"\": must not be empty")]
    [InlineData("--iptables-min-sync-period=1m", "KubeProxyConfiguration.iptables.syncPeriod: Invalid value: 1m0s: must be greater than or equal to KubeProxyConfiguration.iptables.minSyncPeriod (set by --iptables-min-sync-period)")]
    [InlineData("--hostname-override=  ", "empty hostname-override is invalid")]
    [InlineData("--nftables-service-tables=0", "invalid argument \"0\" for \"--nftables-service-tables\" flag: must be between 1 and 64")]
    [InlineData("--nftables-service-tables=65", "invalid argument \"65\" for \"--nftables-service-tables\" flag: must be between 1 and 64")]
    [InlineData("stray", "\"kube-proxy\" does not take any arguments, got [\"stray\"]")]
    [InlineData("--config=/nonexistent/kube-proxy.conf", "failed to read config file \"/nonexistent/kube-proxy.conf\"")]
    public void Invalid_input_is_one_error_line_and_exit_code_1(string arg, string expected)
    {
        var r = Parse(arg);
        Assert.Equal(CliAction.Error, r.Action);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith(expected, r.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", r.ErrorMessage!, StringComparison.Ordinal);

        var stderr = new StringWriter();
        Assert.Equal(1, r.Execute(TextWriter.Null, stderr));
        Assert.StartsWith("Error: " + expected, stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_a_config_file_name_the_field_not_a_flag()
    {
        var r = Parse("--config=" + ConfigFile("clusterCIDR: 10.0.0.0/33\n"), "--cluster-cidr=198.18.0.0/16");
        Assert.Equal("KubeProxyConfiguration.clusterCIDR: Invalid value: \"10.0.0.0/33\": must be a valid CIDR", r.ErrorMessage);
    }

    [Theory]
    [InlineData(CliAction.Help, "--help")]
    [InlineData(CliAction.Help, "-h")]
    [InlineData(CliAction.Version, "--version")]
    [InlineData(CliAction.Version, "--version=raw")]
    [InlineData(CliAction.Cleanup, "--cleanup")]
    [InlineData(CliAction.InitOnly, "--init-only")]
    [InlineData(CliAction.Run, "--version=false")]
    public void Actions(CliAction expected, string arg) => Assert.Equal(expected, Parse(arg).Action);

    [Fact]
    public void Help_and_version_print_to_stdout()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, Parse("--help").Execute(stdout, TextWriter.Null));
        Assert.Contains("Usage:\n  kube-proxy [flags]", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("--write-config-to string", stdout.ToString(), StringComparison.Ordinal);

        stdout = new StringWriter();
        Assert.Equal(0, Parse("--version").Execute(stdout, TextWriter.Null));
        Assert.Equal("Kubernetes v1.35.0\n", stdout.ToString());

        Assert.Null(Parse().Execute(stdout, TextWriter.Null));
    }

    [Fact]
    public void Write_config_to_writes_a_file_that_reloads_to_the_same_options()
    {
        var output = Path.Combine(_dir, "written.yaml");
        var r = Parse("--write-config-to", output, "--proxy-mode=nftables", "--iptables-sync-period=45s",
            "--masquerade-all", "--nodeport-addresses=198.18.0.0/24", "--feature-gates=ContextualLogging=false", "-v=3");
        Assert.Equal(CliAction.WriteConfig, r.Action);
        Assert.Equal(0, r.Execute(TextWriter.Null, TextWriter.Null));

        var yaml = File.ReadAllText(output);
        Assert.Contains("mode: nftables\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  syncPeriod: 45s\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  verbosity: 3\n", yaml, StringComparison.Ordinal);

        var reloaded = Parse("--config=" + output);
        Assert.Equal(CliAction.Run, reloaded.Action);
        Assert.Empty(reloaded.Warnings);
        Assert.Equal(r.Options! with { ConfigFile = output }, reloaded.Options);
        Assert.Equal(yaml, KubeProxyConfigurationWriter.ToYaml(reloaded.Configuration!));
    }

    [Fact]
    public void Write_config_to_with_defaults_matches_upstreams_output()
    {
        var output = Path.Combine(_dir, "defaults.yaml");
        Assert.Equal(0, Parse("--write-config-to=" + output).Execute(TextWriter.Null, TextWriter.Null));

        // Upstream writes after its platform defaults: mode and detectLocalMode are filled in.
        var expected = Configuration.KubeProxyConfigurationDefaultsTests.UpstreamGolden
            .Replace("mode: \"\"\n", "mode: iptables\n", StringComparison.Ordinal)
            .Replace("detectLocalMode: \"\"\n", "detectLocalMode: ClusterCIDR\n", StringComparison.Ordinal);
        Assert.Equal(expected, File.ReadAllText(output));
    }

    [Fact]
    public void Unknown_feature_gates_warn()
    {
        var r = Parse("--feature-gates=NoSuchGate=true");
        Assert.Equal(CliAction.Run, r.Action);
        Assert.Contains("unrecognized feature gate: NoSuchGate (ignored)", r.Warnings);
    }
}
