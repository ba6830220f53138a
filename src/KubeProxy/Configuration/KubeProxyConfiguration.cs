namespace KubeProxy.Configuration;

/// <summary>
/// The <c>kubeproxy.config.k8s.io/v1alpha1</c> <c>KubeProxyConfiguration</c> file, field for field as upstream
/// (staging/src/k8s.io/kube-proxy/config/v1alpha1/types.go). Nullable members are Go pointers: null means
/// "unset, take the default". This is the mutable form that loading, defaulting and flags work on;
/// <see cref="ProxyOptions"/> is the typed result the rest of the program uses.
/// </summary>
public sealed class KubeProxyConfiguration
{
    public const string Group = "kubeproxy.config.k8s.io";
    public const string ApiVersionV1Alpha1 = Group + "/v1alpha1";
    public const string KindName = "KubeProxyConfiguration";

    /// <summary><c>featureGates</c>: feature name to enabled.</summary>
    public Dictionary<string, bool>? FeatureGates { get; set; }

    /// <summary><c>clientConnection</c>.</summary>
    public ClientConnectionConfiguration ClientConnection { get; set; } = new();

    /// <summary><c>logging</c>.</summary>
    public LoggingConfiguration Logging { get; set; } = new();

    /// <summary><c>hostnameOverride</c>: the Node name to use instead of the hostname.</summary>
    public string HostnameOverride { get; set; } = string.Empty;

    /// <summary><c>bindAddress</c>: overrides the node's primary IP (no socket is bound to it).</summary>
    public string BindAddress { get; set; } = string.Empty;

    /// <summary><c>healthzBindAddress</c>: IP:port of the health server; empty disables it.</summary>
    public string HealthzBindAddress { get; set; } = string.Empty;

    /// <summary><c>metricsBindAddress</c>: IP:port of the metrics server.</summary>
    public string MetricsBindAddress { get; set; } = string.Empty;

    /// <summary><c>bindAddressHardFail</c>: a failure to bind the health or metrics port is fatal.</summary>
    public bool BindAddressHardFail { get; set; }

    /// <summary><c>enableProfiling</c>: serve /debug/pprof-like handlers on the metrics server.</summary>
    public bool EnableProfiling { get; set; }

    /// <summary><c>showHiddenMetricsForVersion</c>: the previous minor version, to re-show hidden metrics.</summary>
    public string ShowHiddenMetricsForVersion { get; set; } = string.Empty;

    /// <summary><c>mode</c>: iptables, ipvs, nftables, userspace (ours) or empty for the platform default.</summary>
    public string Mode { get; set; } = string.Empty;

    /// <summary><c>iptables</c>.</summary>
    public KubeProxyIPTablesConfiguration IPTables { get; set; } = new();

    /// <summary><c>ipvs</c>.</summary>
    public KubeProxyIPVSConfiguration IPVS { get; set; } = new();

    /// <summary><c>nftables</c>.</summary>
    public KubeProxyNFTablesConfiguration NFTables { get; set; } = new();

    /// <summary><c>winkernel</c>.</summary>
    public KubeProxyWinkernelConfiguration Winkernel { get; set; } = new();

    /// <summary><c>detectLocalMode</c>: ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix or empty.</summary>
    public string DetectLocalMode { get; set; } = string.Empty;

    /// <summary><c>detectLocal</c>.</summary>
    public DetectLocalConfiguration DetectLocal { get; set; } = new();

    /// <summary><c>clusterCIDR</c>: the pod range, or a comma-separated dual-stack pair.</summary>
    public string ClusterCIDR { get; set; } = string.Empty;

    /// <summary><c>nodePortAddresses</c>: CIDRs of node IPs that accept NodePorts, or ["primary"].</summary>
    public List<string>? NodePortAddresses { get; set; }

    /// <summary><c>oomScoreAdj</c>: the process's oom_score_adj, -1000..1000.</summary>
    public int? OomScoreAdj { get; set; }

    /// <summary><c>conntrack</c>.</summary>
    public KubeProxyConntrackConfiguration Conntrack { get; set; } = new();

    /// <summary><c>configSyncPeriod</c>: the informers' resync period.</summary>
    public GoDuration ConfigSyncPeriod { get; set; }

    /// <summary><c>portRange</c>: unused since the old userspace proxy went away; validated only.</summary>
    public string PortRange { get; set; } = string.Empty;

    /// <summary><c>windowsRunAsService</c>: Windows only.</summary>
    public bool WindowsRunAsService { get; set; }

    /// <summary>A deep copy, so defaulting or writing can change it without touching the original.</summary>
    public KubeProxyConfiguration Clone()
    {
        var copy = (KubeProxyConfiguration)MemberwiseClone();
        copy.FeatureGates = FeatureGates is null ? null : new Dictionary<string, bool>(FeatureGates, StringComparer.Ordinal);
        copy.ClientConnection = ClientConnection.Clone();
        copy.Logging = Logging.Clone();
        copy.IPTables = IPTables.Clone();
        copy.IPVS = IPVS.Clone();
        copy.NFTables = NFTables.Clone();
        copy.Winkernel = Winkernel.Clone();
        copy.DetectLocal = DetectLocal.Clone();
        copy.NodePortAddresses = NodePortAddresses is null ? null : [.. NodePortAddresses];
        copy.Conntrack = Conntrack.Clone();
        return copy;
    }
}
