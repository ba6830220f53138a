namespace KubeProxy.Configuration;

/// <summary>
/// Upstream's defaulting, in its two stages: <see cref="Apply"/> is the v1alpha1 scheme defaulting
/// (pkg/proxy/apis/config/v1alpha1/defaults.go, plus component-base's logging defaults), run on every loaded
/// file and on the flag defaults; <see cref="ApplyPlatform"/> is the Linux <c>platformApplyDefaults</c>, run once
/// flags or the file are final. Like upstream, a zero duration means "unset": <c>minSyncPeriod: 0s</c> in the
/// iptables section becomes 1s.
/// </summary>
public static class KubeProxyConfigurationDefaults
{
    public const int HealthzPort = 10256;
    public const int MetricsPort = 10249;
    public const int OomScoreAdj = -999;
    public const int MasqueradeBit = 14;
    public const int ConntrackMaxPerCore = 32 * 1024;
    public const int ConntrackMin = 128 * 1024;
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    public const float Qps = 5;
    public const int Burst = 10;
    public const string NodePortAddressesPrimary = "primary";

    public static GoDuration SyncPeriod => GoDuration.FromSeconds(30);

    public static GoDuration MinSyncPeriod => GoDuration.FromSeconds(1);

    public static GoDuration ConfigSyncPeriod => GoDuration.FromMinutes(15);

    public static GoDuration ConntrackTcpEstablishedTimeout => GoDuration.FromHours(24);

    public static GoDuration ConntrackTcpCloseWaitTimeout => GoDuration.FromHours(1);

    public static GoDuration LogFlushFrequency => GoDuration.FromSeconds(5);

    /// <summary>The v1alpha1 scheme defaults.</summary>
    public static void Apply(KubeProxyConfiguration c)
    {
        if (c.BindAddress.Length == 0)
        {
            c.BindAddress = "0.0.0.0";
        }

        // The health and metrics defaults follow the family of bindAddress; anything that is not IPv4
        // (including an invalid address, which validation reports) gets the IPv6 defaults, as upstream.
        var v4 = GoNet.TryParseIP(c.BindAddress, out var bind) &&
                 bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var (healthzHost, metricsHost) = v4 ? ("0.0.0.0", "127.0.0.1") : ("[::]", "[::1]");
        c.HealthzBindAddress = c.HealthzBindAddress.Length == 0
            ? healthzHost + ":" + HealthzPort
            : GoNet.AppendPortIfNeeded(c.HealthzBindAddress, HealthzPort);
        c.MetricsBindAddress = c.MetricsBindAddress.Length == 0
            ? metricsHost + ":" + MetricsPort
            : GoNet.AppendPortIfNeeded(c.MetricsBindAddress, MetricsPort);

        c.OomScoreAdj ??= OomScoreAdj;

        if (c.IPTables.SyncPeriod == GoDuration.Zero)
        {
            c.IPTables.SyncPeriod = SyncPeriod;
        }

        if (c.IPTables.MinSyncPeriod == GoDuration.Zero)
        {
            c.IPTables.MinSyncPeriod = MinSyncPeriod;
        }

        c.IPTables.MasqueradeBit ??= MasqueradeBit;
        c.IPTables.LocalhostNodePorts ??= true;

        // ipvs keeps minSyncPeriod 0 (sync on every change) by default.
        if (c.IPVS.SyncPeriod == GoDuration.Zero)
        {
            c.IPVS.SyncPeriod = SyncPeriod;
        }

        if (c.NFTables.SyncPeriod == GoDuration.Zero)
        {
            c.NFTables.SyncPeriod = SyncPeriod;
        }

        if (c.NFTables.MinSyncPeriod == GoDuration.Zero)
        {
            c.NFTables.MinSyncPeriod = MinSyncPeriod;
        }

        c.NFTables.MasqueradeBit ??= MasqueradeBit;

        c.Conntrack.MaxPerCore ??= ConntrackMaxPerCore;
        c.Conntrack.Min ??= ConntrackMin;
        c.Conntrack.TcpEstablishedTimeout ??= ConntrackTcpEstablishedTimeout;
        c.Conntrack.TcpCloseWaitTimeout ??= ConntrackTcpCloseWaitTimeout;

        if (c.ConfigSyncPeriod == GoDuration.Zero)
        {
            c.ConfigSyncPeriod = ConfigSyncPeriod;
        }

        if (c.ClientConnection.ContentType.Length == 0)
        {
            c.ClientConnection.ContentType = ContentType;
        }

        if (c.ClientConnection.Qps == 0)
        {
            c.ClientConnection.Qps = Qps;
        }

        if (c.ClientConnection.Burst == 0)
        {
            c.ClientConnection.Burst = Burst;
        }

        c.FeatureGates ??= new Dictionary<string, bool>(StringComparer.Ordinal);

        ApplyLogging(c.Logging);
    }

    private static void ApplyLogging(LoggingConfiguration logging)
    {
        if (logging.Format.Length == 0)
        {
            logging.Format = "text";
        }

        if (logging.FlushFrequency == GoDuration.Zero)
        {
            logging.FlushFrequency = LogFlushFrequency;
        }

        if (logging.Text.InfoBufferSize.Length == 0)
        {
            logging.Text.InfoBufferSize = "0";
        }

        if (logging.Json.InfoBufferSize.Length == 0)
        {
            logging.Json.InfoBufferSize = "0";
        }
    }

    /// <summary>
    /// Linux platform defaults: an empty mode is iptables, nftables mode without nodePortAddresses serves
    /// NodePorts on the primary node IPs only, and an empty detectLocalMode is ClusterCIDR.
    /// </summary>
    public static void ApplyPlatform(KubeProxyConfiguration c)
    {
        if (c.Mode.Length == 0)
        {
            c.Mode = ProxyModes.IPTables;
        }

        if (c.Mode == ProxyModes.NFTables && (c.NodePortAddresses is null || c.NodePortAddresses.Count == 0))
        {
            c.NodePortAddresses = [NodePortAddressesPrimary];
        }

        if (c.DetectLocalMode.Length == 0)
        {
            c.DetectLocalMode = LocalModes.ClusterCIDR;
        }
    }

    /// <summary>
    /// Upstream keeps one sync period, one minimum sync period and one masqueradeAll internally; without a
    /// config file the flags write those single values, so every mode sees the same iptables-derived defaults
    /// (even ipvs gets a 1s minimum). Copying the iptables section into the others reproduces that here.
    /// </summary>
    public static void SeedModeSectionsForFlags(KubeProxyConfiguration c)
    {
        c.IPVS.SyncPeriod = c.IPTables.SyncPeriod;
        c.IPVS.MinSyncPeriod = c.IPTables.MinSyncPeriod;
        c.NFTables.SyncPeriod = c.IPTables.SyncPeriod;
        c.NFTables.MinSyncPeriod = c.IPTables.MinSyncPeriod;
        c.NFTables.MasqueradeAll = c.IPTables.MasqueradeAll;
    }
}
