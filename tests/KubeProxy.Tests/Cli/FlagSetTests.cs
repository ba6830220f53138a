using KubeProxy.Cli;
using KubeProxy.Configuration;

namespace KubeProxy.Tests.Cli;

public class FlagSetTests
{
    private static KubeProxyFlags Parse(params string[] args)
    {
        var flags = new KubeProxyFlags();
        var (positional, _) = flags.Set.Parse(args);
        Assert.Empty(positional);
        return flags;
    }

    [Fact]
    public void Accepts_the_go_forms_upstream_accepts()
    {
        var flags = Parse("--iptables-min-sync-period=0s", "--masquerade-all", "-v=4", "--nodeport-addresses=198.18.0.0/24,fd00::/64",
            "--proxy-mode", "nftables", "--conntrack-min", "-5");
        Assert.Equal(GoDuration.Zero, flags.IptablesMinSyncPeriod);
        Assert.True(flags.Set.Changed("iptables-min-sync-period"));
        Assert.True(flags.Config.IPTables.MasqueradeAll);
        Assert.True(flags.Config.NFTables.MasqueradeAll);
        Assert.Equal(["198.18.0.0/24", "fd00::/64"], flags.Config.NodePortAddresses);
        Assert.Equal("nftables", flags.Config.Mode);
        Assert.Equal(-5, flags.Config.Conntrack.Min);
        Assert.Equal(4, Verbosity(flags));
    }

    private static int Verbosity(KubeProxyFlags flags)
    {
        var logging = new LoggingConfiguration();
        flags.LoggingOverrides.ForEach(a => a(logging));
        return logging.Verbosity;
    }

    [Theory]
    [InlineData("-v", "4")]
    [InlineData("-v4")]
    [InlineData("-v=4")]
    [InlineData("--v=4")]
    [InlineData("--v", "4")]
    public void Verbosity_forms(params string[] args) => Assert.Equal(4, Verbosity(Parse(args)));

    [Theory]
    [InlineData(true, "--masquerade-all")]
    [InlineData(true, "--masquerade-all=true")]
    [InlineData(true, "--masquerade-all=T")]
    [InlineData(true, "--masquerade-all=1")]
    [InlineData(false, "--masquerade-all=false")]
    [InlineData(false, "--masquerade-all", "--masquerade-all=False")]
    public void Bool_forms(bool expected, params string[] args) =>
        Assert.Equal(expected, Parse(args).Config.IPTables.MasqueradeAll);

    [Fact]
    public void A_bool_flag_does_not_consume_the_next_word()
    {
        var flags = new KubeProxyFlags();
        var (positional, _) = flags.Set.Parse(["--masquerade-all", "false"]);
        Assert.Equal(["false"], positional);
        Assert.True(flags.Config.IPTables.MasqueradeAll);
    }

    [Fact]
    public void The_last_occurrence_wins() =>
        Assert.Equal("ipvs", Parse("--proxy-mode=iptables", "--proxy-mode=ipvs").Config.Mode);

    [Fact]
    public void Slices_and_maps_accumulate_over_repeats()
    {
        var flags = Parse("--nodeport-addresses=198.18.0.0/24", "--nodeport-addresses", "fd00::/64",
            "--feature-gates=A=true,B=false", "--feature-gates", "B=true, C = false");
        Assert.Equal(["198.18.0.0/24", "fd00::/64"], flags.Config.NodePortAddresses);
        Assert.Equal(new Dictionary<string, bool> { ["A"] = true, ["B"] = true, ["C"] = false }, flags.Config.FeatureGates);
    }

    [Fact]
    public void Underscores_are_normalised_to_dashes() =>
        Assert.Equal("ipvs", Parse("--proxy_mode=ipvs").Config.Mode);

    [Fact]
    public void Integers_take_go_base_prefixes() =>
        Assert.Equal(16, Parse("--iptables-masquerade-bit=0x10").Config.IPTables.MasqueradeBit);

    [Fact]
    public void Double_dash_ends_the_flags()
    {
        var flags = new KubeProxyFlags();
        var (positional, _) = flags.Set.Parse(["--", "--proxy-mode=ipvs"]);
        Assert.Equal(["--proxy-mode=ipvs"], positional);
        Assert.Equal(string.Empty, flags.Config.Mode);
    }

    [Theory]
    [InlineData("unknown flag: --bogus", "--bogus")]
    [InlineData("unknown flag: --bogus", "--bogus=1")]
    [InlineData("unknown shorthand flag: 'x' in -x", "-x")]
    [InlineData("flag needs an argument: --config", "--config")]
    [InlineData("flag needs an argument: 'v' in -v", "-v")]
    [InlineData("bad flag syntax: ---config", "---config")]
    [InlineData("invalid argument \"abc\" for \"--iptables-sync-period\" flag: time: invalid duration \"abc\"", "--iptables-sync-period=abc")]
    [InlineData("invalid argument \"maybe\" for \"--masquerade-all\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax", "--masquerade-all=maybe")]
    [InlineData("invalid argument \"-1\" for \"-v, --v\" flag: strconv.ParseUint: parsing \"-1\": invalid syntax or value out of range", "-v=-1")]
    [InlineData("invalid argument \"1.2.3\" for \"--bind-address\" flag: \"1.2.3\" is not a valid IP address", "--bind-address=1.2.3")]
    [InlineData("invalid argument \"1.2.3.4:x\" for \"--healthz-bind-address\" flag: \"x\" is not a valid number", "--healthz-bind-address=1.2.3.4:x")]
    [InlineData("invalid argument \"A\" for \"--feature-gates\" flag: malformed pair, expect string=bool", "--feature-gates=A")]
    [InlineData("invalid argument \"9-1\" for \"--proxy-port-range\" flag: \"9-1\" is not a valid port range: end port cannot be less than start port: 9-1", "--proxy-port-range=9-1")]
    public void Errors_read_like_pflags(string expected, params string[] args)
    {
        var e = Assert.Throws<FlagParseException>(() => new KubeProxyFlags().Set.Parse(args));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void Deprecated_flags_warn()
    {
        var (_, warnings) = new KubeProxyFlags().Set.Parse(["--healthz-port=0"]);
        Assert.Equal(["Flag --healthz-port has been deprecated, This flag is deprecated and will be removed in a future release. Please use --healthz-bind-address instead."], warnings);
    }

    [Fact]
    public void Empty_ip_values_keep_the_default_like_upstream() =>
        Assert.Equal("127.0.0.1:10249", Parse("--metrics-bind-address=").Config.MetricsBindAddress);

    [Fact]
    public void Usage_lists_flags_sorted_with_types_and_defaults()
    {
        var usage = new KubeProxyFlags().Set.Usage();
        Assert.Contains("      --iptables-sync-period duration", usage, StringComparison.Ordinal);
        Assert.Contains("(default 30s)", usage, StringComparison.Ordinal);
        Assert.Contains("  -v, --v Level", usage, StringComparison.Ordinal);
        Assert.Contains("(default \"application/vnd.kubernetes.protobuf\")", usage, StringComparison.Ordinal);
        Assert.DoesNotContain("--healthz-port", usage, StringComparison.Ordinal);
        Assert.True(usage.IndexOf("--bind-address ", StringComparison.Ordinal) < usage.IndexOf("--cleanup", StringComparison.Ordinal));
    }
}
