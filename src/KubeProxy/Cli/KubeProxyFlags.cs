using System.Globalization;
using KubeProxy.Configuration;
using KubeProxy.Nftables;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Cli;

/// <summary>
/// Upstream's kube-proxy flags (cmd/kube-proxy/app/options.go AddFlags, the logging flags of component-base,
/// --version) plus our --manifests. Flags that upstream binds straight into its configuration write into
/// <see cref="Config"/>; the few it keeps aside (sync periods, cluster CIDR, deprecated ports, hostname) are
/// held here until <see cref="KubeProxyCommandLine"/> decides, as upstream's Complete does, whether they apply.
/// </summary>
internal sealed class KubeProxyFlags
{
    public KubeProxyFlags()
    {
        Config = new KubeProxyConfiguration();
        KubeProxyConfigurationDefaults.Apply(Config);
        KubeProxyConfigurationDefaults.SeedModeSectionsForFlags(Config);
        IptablesSyncPeriod = IpvsSyncPeriod = Config.IPTables.SyncPeriod;
        IptablesMinSyncPeriod = IpvsMinSyncPeriod = Config.IPTables.MinSyncPeriod;
        Set = new FlagSet("kube-proxy");
        AddOptionFlags();
        AddLoggingFlags();
        AddConfigurationFlags();
    }

    public FlagSet Set { get; }

    /// <summary>The configuration the flags build when there is no --config file.</summary>
    public KubeProxyConfiguration Config { get; }

    public string ConfigFile { get; private set; } = string.Empty;

    public string WriteConfigTo { get; private set; } = string.Empty;

    public bool Cleanup { get; private set; }

    public bool InitOnly { get; private set; }

    public bool Help { get; private set; }

    /// <summary>The --version value: null when absent, else "true", "false", "raw" or a "vX.Y.Z" override.</summary>
    public string? Version { get; private set; }

    public string Master { get; private set; } = string.Empty;

    public string HostnameOverride { get; private set; } = string.Empty;

    public string Manifests { get; private set; } = string.Empty;

    /// <summary>Our --nftables-service-tables: how many tables per family the nftables mode spreads Services over.</summary>
    public int NftablesServiceTables { get; private set; } = NftablesOptions.DefaultServiceTables;

    public int HealthzPort { get; private set; } = KubeProxyConfigurationDefaults.HealthzPort;

    public int MetricsPort { get; private set; } = KubeProxyConfigurationDefaults.MetricsPort;

    public GoDuration IptablesSyncPeriod { get; private set; }

    public GoDuration IptablesMinSyncPeriod { get; private set; }

    public GoDuration IpvsSyncPeriod { get; private set; }

    public GoDuration IpvsMinSyncPeriod { get; private set; }

    public string ClusterCidr { get; private set; } = string.Empty;

    /// <summary>Logging flag values, replayed onto whichever configuration wins (upstream copyLogsFromFlags).</summary>
    public List<Action<LoggingConfiguration>> LoggingOverrides { get; } = [];

    private void AddOptionFlags()
    {
        String("config", "The path to the configuration file.", null, v => ConfigFile = v, ignored: false);
        String("write-config-to", "If set, write the default configuration values to this file and exit.", null,
            v => WriteConfigTo = v, ignored: false);
        Bool("cleanup", "If true cleanup iptables and ipvs rules and exit.", false, v => Cleanup = v, ignored: false);
        Bool("init-only",
            "If true, perform any initialization steps that must be done with full root privileges, and then exit. " +
            "After doing this, you can run kube-proxy again with only the CAP_NET_ADMIN capability.", false,
            v => InitOnly = v, ignored: false);
        String("master", "The address of the Kubernetes API server (overrides any value in kubeconfig)", null,
            v => Master = v, ignored: false);
        String("hostname-override",
            "If non-empty, will be used as the name of the Node that kube-proxy is running on. If unset, the node " +
            "name is assumed to be the same as the node's hostname.", null, v => HostnameOverride = v, ignored: false);
        String("manifests",
            "A directory of Service and EndpointSlice manifests (YAML or JSON) to serve instead of watching the " +
            "Kubernetes API. Not an upstream flag.", null, v => Manifests = v, ignored: false);
        Set.Add(new Flag
        {
            Name = "nftables-service-tables",
            TypeName = "int32",
            Usage = "nftables mode: the number of tables per IP family the Services are spread over (1 to " +
                $"{ServiceTables.MaxCount}; 1 is upstream's single kube-proxy table). More tables make each change cheaper " +
                "for the kernel to commit at scale and add a hash lookup per table to each new connection. Not an upstream flag.",
            DefaultText = NftablesOptions.DefaultServiceTables.ToString(CultureInfo.InvariantCulture),
            IgnoredWithConfig = false,
            Apply = v => FlagValues.Int32(v, out var n) ?? (n is < 1 or > ServiceTables.MaxCount
                ? $"must be between 1 and {ServiceTables.MaxCount}"
                : Done(() => NftablesServiceTables = n)),
        });
        Set.Add(new Flag
        {
            Name = "help",
            Shorthand = 'h',
            TypeName = string.Empty,
            Usage = "help for kube-proxy",
            NoOptionValue = "true",
            Apply = v => FlagValues.Bool(v, out var b) ?? Done(() => Help = b),
        });
        Set.Add(new Flag
        {
            Name = "version",
            TypeName = "version[=true]",
            Usage = "--version, --version=raw prints version information and quits; --version=vX.Y.Z... sets the reported version",
            NoOptionValue = "true",
            Apply = v =>
            {
                if (v is "raw" || v.StartsWith('v'))
                {
                    Version = v;
                    return null;
                }

                return FlagValues.Bool(v, out var b) ?? Done(() => Version = b ? "true" : "false");
            },
        });
    }

    private void AddLoggingFlags()
    {
        Set.Add(new Flag
        {
            Name = "v",
            Shorthand = 'v',
            TypeName = "Level",
            Usage = "number for the log level verbosity",
            Fields = ["logging.verbosity"],
            Apply = v => FlagValues.UInt32(v, out var level) ?? Done(() => LoggingOverrides.Add(l => l.Verbosity = level)),
        });
        Set.Add(new Flag
        {
            Name = "vmodule",
            TypeName = "pattern=N,...",
            Usage = "comma-separated list of pattern=N settings for file-filtered logging (only works for text log format)",
            Fields = ["logging.vmodule"],
            Apply = v => FlagValues.VModule(v, out var items) ?? Done(() => LoggingOverrides.Add(l => l.VModule = [.. items])),
        });
        String("logging-format", "Sets the log format. Permitted formats: \"json\", \"text\".", "text",
            v => LoggingOverrides.Add(l => l.Format = v), ignored: false, fields: ["logging.format"]);
        Duration("log-flush-frequency", "Maximum number of seconds between log flushes", KubeProxyConfigurationDefaults.LogFlushFrequency,
            v => LoggingOverrides.Add(l => l.FlushFrequency = v), ignored: false, fields: ["logging.flushFrequency"]);
        Bool("log-text-split-stream", "[Alpha] In text format, write error messages to stderr and info messages to stdout.",
            false, v => LoggingOverrides.Add(l => l.Text.SplitStream = v), ignored: false);
        String("log-text-info-buffer-size", "[Alpha] In text format with split output streams, the info messages can be buffered for a while to increase performance.",
            null, v => LoggingOverrides.Add(l => l.Text.InfoBufferSize = v), ignored: false, typeName: "quantity");
        Bool("log-json-split-stream", "[Alpha] In JSON format, write error messages to stderr and info messages to stdout.",
            false, v => LoggingOverrides.Add(l => l.Json.SplitStream = v), ignored: false);
        String("log-json-info-buffer-size", "[Alpha] In JSON format with split output streams, the info messages can be buffered for a while to increase performance.",
            null, v => LoggingOverrides.Add(l => l.Json.InfoBufferSize = v), ignored: false, typeName: "quantity");
    }

    private void AddConfigurationFlags()
    {
        const string IgnoredNote = " This parameter is ignored if a config file is specified by --config.";
        var c = Config;
        Set.Add(new Flag
        {
            Name = "feature-gates",
            TypeName = "mapStringBool",
            Usage = "A set of key=value pairs that describe feature gates for alpha/experimental features." + IgnoredNote,
            IgnoredWithConfig = true,
            Fields = ["featureGates"],
            Apply = v => FlagValues.BoolMap(v, c.FeatureGates ??= new Dictionary<string, bool>(StringComparer.Ordinal)),
        });
        String("kubeconfig", "Path to kubeconfig file with authorization information (the master location can be overridden by the master flag).",
            null, v => c.ClientConnection.Kubeconfig = v);
        String("kube-api-content-type", "Content type of requests sent to apiserver.", c.ClientConnection.ContentType,
            v => c.ClientConnection.ContentType = v);
        Int32("kube-api-burst", "Burst to use while talking with kubernetes apiserver", c.ClientConnection.Burst,
            v => c.ClientConnection.Burst = v, "clientConnection.burst");
        Set.Add(new Flag
        {
            Name = "kube-api-qps",
            TypeName = "float32",
            Usage = "QPS to use while talking with kubernetes apiserver",
            DefaultText = c.ClientConnection.Qps.ToString(CultureInfo.InvariantCulture),
            IgnoredWithConfig = true,
            Apply = v => FlagValues.Float32(v, out var q) ?? Done(() => c.ClientConnection.Qps = q),
        });
        Typed("bind-address", "ip",
            "Overrides kube-proxy's idea of what its node's primary IP is. Note that the name is a historical artifact, " +
            "and kube-proxy does not actually bind any sockets to this IP." + IgnoredNote,
            c.BindAddress, FlagValues.IP, v => c.BindAddress = v, "bindAddress");
        Typed("healthz-bind-address", "ipport",
            "The IP address and port for the health check server to serve on, defaulting to \"0.0.0.0:10256\"." + IgnoredNote,
            c.HealthzBindAddress, FlagValues.IPPort, v => c.HealthzBindAddress = v, "healthzBindAddress");
        Typed("metrics-bind-address", "ipport",
            "The IP address and port for the metrics server to serve on, defaulting to \"127.0.0.1:10249\". " +
            "(Set to \"0.0.0.0:10249\" / \"[::]:10249\" to bind on all interfaces.)" + IgnoredNote,
            c.MetricsBindAddress, FlagValues.IPPort, v => c.MetricsBindAddress = v, "metricsBindAddress");
        Bool("bind-address-hard-fail", "If true kube-proxy will treat failure to bind to a port as fatal and exit", false,
            v => c.BindAddressHardFail = v);
        Bool("profiling", "If true enables profiling via web interface on /debug/pprof handler." + IgnoredNote, false,
            v => c.EnableProfiling = v);
        String("show-hidden-metrics-for-version",
            "The previous version for which you want to show hidden metrics. Only the previous minor version is " +
            "meaningful, other values will not be allowed. The format is <major>.<minor>, e.g.: '1.16'." + IgnoredNote,
            null, v => c.ShowHiddenMetricsForVersion = v, fields: ["showHiddenMetricsForVersion"]);
        Typed("proxy-mode", "ProxyMode",
            "Which proxy mode to use: on Linux this can be 'iptables' (default), 'ipvs', 'nftables' or 'userspace' " +
            "(this project's user-space L4 proxy)." + IgnoredNote,
            null, _ => null, v => c.Mode = v, "mode");

        Int32("iptables-masquerade-bit",
            "If using the iptables or ipvs proxy mode, the bit of the fwmark space to mark packets requiring SNAT with.  Must be within the range [0, 31].",
            KubeProxyConfigurationDefaults.MasqueradeBit, v => c.IPTables.MasqueradeBit = v, "iptables.masqueradeBit");
        Bool("masquerade-all",
            "SNAT all traffic sent via Service cluster IPs. This may be required with some CNI plugins. Only supported on Linux.",
            false, v => c.IPTables.MasqueradeAll = c.NFTables.MasqueradeAll = v);
        Bool("iptables-localhost-nodeports",
            "If false, kube-proxy will disable the legacy behavior of allowing NodePort services to be accessed via " +
            "localhost. (Applies only to iptables mode and IPv4; localhost NodePorts are never allowed with other proxy modes or with IPv6.)",
            true, v => c.IPTables.LocalhostNodePorts = v);
        Duration("iptables-sync-period",
            "An interval (e.g. '5s', '1m', '2h22m') indicating how frequently various re-synchronizing and cleanup " +
            "operations are performed. Must be greater than 0. (Applies to every mode but ipvs.)",
            IptablesSyncPeriod, v => IptablesSyncPeriod = v, fields: ["iptables.syncPeriod", "nftables.syncPeriod"]);
        Duration("iptables-min-sync-period",
            "The minimum period between rule resyncs (e.g. '5s', '1m', '2h22m'). A value of 0 means every Service or " +
            "EndpointSlice change will result in an immediate resync. (Applies to every mode but ipvs.)",
            IptablesMinSyncPeriod, v => IptablesMinSyncPeriod = v, fields: ["iptables.minSyncPeriod", "nftables.minSyncPeriod", "iptables.syncPeriod", "nftables.syncPeriod"]);

        Duration("ipvs-sync-period",
            "An interval (e.g. '5s', '1m', '2h22m') indicating how frequently various re-synchronizing and cleanup operations are performed. Must be greater than 0.",
            IpvsSyncPeriod, v => IpvsSyncPeriod = v, fields: ["ipvs.syncPeriod"]);
        Duration("ipvs-min-sync-period",
            "The minimum period between IPVS rule resyncs (e.g. '5s', '1m', '2h22m'). A value of 0 means every Service or EndpointSlice change will result in an immediate IPVS resync.",
            IpvsMinSyncPeriod, v => IpvsMinSyncPeriod = v, fields: ["ipvs.minSyncPeriod", "ipvs.syncPeriod"]);
        String("ipvs-scheduler", "The ipvs scheduler type when proxy mode is ipvs", null, v => c.IPVS.Scheduler = v);
        Set.Add(new Flag
        {
            Name = "ipvs-exclude-cidrs",
            TypeName = "strings",
            Usage = "A comma-separated list of CIDRs which the ipvs proxier should not touch when cleaning up IPVS rules.",
            IgnoredWithConfig = true,
            Fields = ["ipvs.excludeCIDRs"],
            Apply = SliceAppender(() => c.IPVS.ExcludeCIDRs, v => c.IPVS.ExcludeCIDRs = v),
        });
        Bool("ipvs-strict-arp", "Enable strict ARP by setting arp_ignore to 1 and arp_announce to 2", false,
            v => c.IPVS.StrictARP = v);
        Duration("ipvs-tcp-timeout", "The timeout for idle IPVS TCP connections, 0 to leave as-is. (e.g. '5s', '1m', '2h22m').",
            GoDuration.Zero, v => c.IPVS.TcpTimeout = v, fields: ["ipvs.tcpTimeout"]);
        Duration("ipvs-tcpfin-timeout", "The timeout for IPVS TCP connections after receiving a FIN packet, 0 to leave as-is. (e.g. '5s', '1m', '2h22m').",
            GoDuration.Zero, v => c.IPVS.TcpFinTimeout = v, fields: ["ipvs.tcpFinTimeout"]);
        Duration("ipvs-udp-timeout", "The timeout for IPVS UDP packets, 0 to leave as-is. (e.g. '5s', '1m', '2h22m').",
            GoDuration.Zero, v => c.IPVS.UdpTimeout = v, fields: ["ipvs.udpTimeout"]);

        Typed("detect-local-mode", "LocalMode", "Mode to use to detect local traffic." + IgnoredNote, null, _ => null,
            v => c.DetectLocalMode = v, "detectLocalMode");
        String("pod-bridge-interface",
            "A bridge interface name. When --detect-local-mode is set to BridgeInterface, kube-proxy will consider traffic to be local if it originates from this bridge.",
            null, v => c.DetectLocal.BridgeInterface = v, fields: ["detectLocal.bridgeInterface"]);
        String("pod-interface-name-prefix",
            "An interface name prefix. When --detect-local-mode is set to InterfaceNamePrefix, kube-proxy will consider traffic to be local if it originates from any interface whose name begins with this prefix.",
            null, v => c.DetectLocal.InterfaceNamePrefix = v, fields: ["detectLocal.interfaceNamePrefix"]);
        String("cluster-cidr",
            "The CIDR range of the pods in the cluster. (For dual-stack clusters, this can be a comma-separated dual-stack pair of CIDR ranges.). " +
            "When --detect-local-mode is set to ClusterCIDR, kube-proxy will consider traffic to be local if its source IP is in this range. (Otherwise it is not used.)" + IgnoredNote,
            null, v => ClusterCidr = v, fields: ["clusterCIDR"]);
        Set.Add(new Flag
        {
            Name = "nodeport-addresses",
            TypeName = "strings",
            Usage = "A list of CIDR ranges that contain valid node IPs, or alternatively, the single string 'primary'. " +
                    "If set to a list of CIDRs, connections to NodePort services will only be accepted on node IPs in one of the indicated ranges. " +
                    "If set to 'primary', NodePort services will only be accepted on the node's primary IP(s) according to the Node object. " +
                    "If unset, NodePort connections will be accepted on all local IPs." + IgnoredNote,
            IgnoredWithConfig = true,
            Fields = ["nodePortAddresses"],
            Apply = SliceAppender(() => c.NodePortAddresses, v => c.NodePortAddresses = v),
        });

        Int32("oom-score-adj", "The oom-score-adj value for kube-proxy process. Values must be within the range [-1000, 1000]." + IgnoredNote,
            KubeProxyConfigurationDefaults.OomScoreAdj, v => c.OomScoreAdj = v, "oomScoreAdj");
        Int32("conntrack-max-per-core", "Maximum number of NAT connections to track per CPU core (0 to leave the limit as-is and ignore conntrack-min).",
            KubeProxyConfigurationDefaults.ConntrackMaxPerCore, v => c.Conntrack.MaxPerCore = v, "conntrack.maxPerCore");
        Int32("conntrack-min", "Minimum number of conntrack entries to allocate, regardless of conntrack-max-per-core (set conntrack-max-per-core=0 to leave the limit as-is).",
            KubeProxyConfigurationDefaults.ConntrackMin, v => c.Conntrack.Min = v, "conntrack.min");
        Duration("conntrack-tcp-timeout-established", "Idle timeout for established TCP connections (0 to leave as-is)",
            KubeProxyConfigurationDefaults.ConntrackTcpEstablishedTimeout, v => c.Conntrack.TcpEstablishedTimeout = v,
            fields: ["conntrack.tcpEstablishedTimeout"]);
        Duration("conntrack-tcp-timeout-close-wait", "NAT timeout for TCP connections in the CLOSE_WAIT state",
            KubeProxyConfigurationDefaults.ConntrackTcpCloseWaitTimeout, v => c.Conntrack.TcpCloseWaitTimeout = v,
            fields: ["conntrack.tcpCloseWaitTimeout"]);
        Bool("conntrack-tcp-be-liberal", "Enable liberal mode for tracking TCP packets by setting nf_conntrack_tcp_be_liberal to 1",
            false, v => c.Conntrack.TcpBeLiberal = v);
        Duration("conntrack-udp-timeout", "Idle timeout for UNREPLIED UDP connections (0 to leave as-is)", GoDuration.Zero,
            v => c.Conntrack.UdpTimeout = v, fields: ["conntrack.udpTimeout"]);
        Duration("conntrack-udp-timeout-stream", "Idle timeout for ASSURED UDP connections (0 to leave as-is)", GoDuration.Zero,
            v => c.Conntrack.UdpStreamTimeout = v, fields: ["conntrack.udpStreamTimeout"]);
        Duration("config-sync-period", "How often configuration from the apiserver is refreshed.  Must be greater than 0.",
            KubeProxyConfigurationDefaults.ConfigSyncPeriod, v => c.ConfigSyncPeriod = v, fields: ["configSyncPeriod"]);

        Set.Add(new Flag
        {
            Name = "healthz-port",
            TypeName = "int32",
            Usage = "The port to bind the health check server. Use 0 to disable.",
            Deprecated = "This flag is deprecated and will be removed in a future release. Please use --healthz-bind-address instead.",
            IgnoredWithConfig = true,
            Fields = ["healthzBindAddress"],
            Apply = v => FlagValues.Int32(v, out var port) ?? Done(() => HealthzPort = port),
        });
        Set.Add(new Flag
        {
            Name = "metrics-port",
            TypeName = "int32",
            Usage = "The port to bind the metrics server. Use 0 to disable.",
            Deprecated = "This flag is deprecated and will be removed in a future release. Please use --metrics-bind-address instead.",
            IgnoredWithConfig = true,
            Fields = ["metricsBindAddress"],
            Apply = v => FlagValues.Int32(v, out var port) ?? Done(() => MetricsPort = port),
        });
        Set.Add(new Flag
        {
            Name = "proxy-port-range",
            TypeName = "port-range",
            Usage = "This was previously used to configure the userspace proxy, but is now unused.",
            Deprecated = "This flag has no effect and will be removed in a future release.",
            IgnoredWithConfig = true,
            Fields = ["portRange"],
            Apply = v => GoPortRange.TryParse(v, out _, out var error)
                ? Done(() => c.PortRange = v)
                : $"\"{v}\" is not a valid port range: {error}",
        });
    }

    private static string? Done(Action action)
    {
        action();
        return null;
    }

    // pflag's StringSlice: the first use replaces the default, later uses append.
    private static Func<string, string?> SliceAppender(Func<List<string>?> get, Action<List<string>> set)
    {
        var first = true;
        return v =>
        {
            if (FlagValues.StringSlice(v, out var items) is { } error)
            {
                return error;
            }

            set(first ? items : [.. get() ?? [], .. items]);
            first = false;
            return null;
        };
    }

    private void String(string name, string usage, string? defaultText, Action<string> set, bool ignored = true,
        string[]? fields = null, string typeName = "string") =>
        Set.Add(new Flag
        {
            Name = name,
            TypeName = typeName,
            Usage = usage,
            DefaultText = defaultText,
            IgnoredWithConfig = ignored,
            Fields = fields ?? [],
            Apply = v => Done(() => set(v)),
        });

    private void Typed(string name, string typeName, string usage, string? defaultText, Func<string, string?> check,
        Action<string> set, string field) =>
        Set.Add(new Flag
        {
            Name = name,
            TypeName = typeName,
            Usage = usage,
            DefaultText = defaultText,
            IgnoredWithConfig = true,
            Fields = [field],
            Apply = v => check(v) ?? (v.Length == 0 && typeName is "ip" or "ipport" ? null : Done(() => set(v))),
        });

    private void Bool(string name, string usage, bool defaultValue, Action<bool> set, bool ignored = true) =>
        Set.Add(new Flag
        {
            Name = name,
            TypeName = string.Empty,
            Usage = usage,
            DefaultText = defaultValue ? "true" : null,
            NoOptionValue = "true",
            IgnoredWithConfig = ignored,
            Apply = v => FlagValues.Bool(v, out var b) ?? Done(() => set(b)),
        });

    private void Int32(string name, string usage, int defaultValue, Action<int> set, string field) =>
        Set.Add(new Flag
        {
            Name = name,
            TypeName = "int32",
            Usage = usage,
            DefaultText = defaultValue.ToString(CultureInfo.InvariantCulture),
            IgnoredWithConfig = true,
            Fields = [field],
            Apply = v => FlagValues.Int32(v, out var i) ?? Done(() => set(i)),
        });

    private void Duration(string name, string usage, GoDuration defaultValue, Action<GoDuration> set,
        bool ignored = true, string[]? fields = null) =>
        Set.Add(new Flag
        {
            Name = name,
            TypeName = "duration",
            Usage = usage,
            DefaultText = defaultValue.ToString(),
            IgnoredWithConfig = ignored,
            Fields = fields ?? [],
            Apply = v => FlagValues.Duration(v, out var d) ?? Done(() => set(d)),
        });
}
