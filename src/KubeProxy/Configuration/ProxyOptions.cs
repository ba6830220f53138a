using System.Globalization;
using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Configuration;

/// <summary>
/// The effective, typed settings the rest of kube-proxy runs with, built from a complete, valid
/// <see cref="KubeProxyConfiguration"/> by <see cref="Create"/>. Values that upstream keeps per mode
/// (sync periods, masqueradeAll, masqueradeBit) are already taken from the active mode's section.
/// </summary>
public sealed record ProxyOptions
{
    public required ProxyMode Mode { get; init; }

    /// <summary>The Node name: hostnameOverride or the host name, trimmed and lower-cased as upstream.</summary>
    public required string NodeName { get; init; }

    /// <summary><c>bindAddress</c> as configured (0.0.0.0 by default).</summary>
    public required IPAddress BindAddress { get; init; }

    /// <summary>The node primary IP override, or null when bindAddress is unspecified (0.0.0.0 or ::).</summary>
    public IPAddress? NodeIPOverride => BindAddress.Equals(IPAddress.Any) || BindAddress.Equals(IPAddress.IPv6Any) ? null : BindAddress;

    public required bool BindAddressHardFail { get; init; }

    /// <summary>Where /healthz and /livez listen; null when disabled (empty healthzBindAddress).</summary>
    public required IPEndPoint? HealthzBindAddress { get; init; }

    /// <summary>Where /metrics and /proxyMode listen; null when disabled.</summary>
    public required IPEndPoint? MetricsBindAddress { get; init; }

    public required bool EnableProfiling { get; init; }

    public required string ShowHiddenMetricsForVersion { get; init; }

    public required ClientConnectionOptions ClientConnection { get; init; }

    /// <summary>The informers' resync period (configSyncPeriod).</summary>
    public required TimeSpan ConfigSyncPeriod { get; init; }

    /// <summary>The longest time between full syncs (the active mode's syncPeriod).</summary>
    public required TimeSpan SyncPeriod { get; init; }

    /// <summary>The shortest time between syncs (the active mode's minSyncPeriod); zero syncs on every change.</summary>
    public required TimeSpan MinSyncPeriod { get; init; }

    public required bool MasqueradeAll { get; init; }

    /// <summary>The fwmark bit for SNAT: nftables.masqueradeBit in nftables mode, iptables.masqueradeBit otherwise.</summary>
    public required int MasqueradeBit { get; init; }

    /// <summary>The mark value, 1 &lt;&lt; MasqueradeBit, as upstream prints it ("0x4000").</summary>
    public uint MasqueradeMark => 1u << MasqueradeBit;

    /// <summary>iptables.localhostNodePorts (iptables mode, IPv4 only).</summary>
    public required bool LocalhostNodePorts { get; init; }

    public required LocalMode DetectLocalMode { get; init; }

    /// <summary>The parsed clusterCIDR (one, or a dual-stack pair); empty when unset.</summary>
    public required EquatableArray<IPNetwork> ClusterCidrs { get; init; }

    public required string BridgeInterface { get; init; }

    public required string InterfaceNamePrefix { get; init; }

    public required NodePortAddresses NodePortAddresses { get; init; }

    public required ConntrackOptions Conntrack { get; init; }

    public required IpvsOptions Ipvs { get; init; }

    public required int? OomScoreAdj { get; init; }

    /// <summary>Feature gates set in the configuration, sorted by name; see <see cref="IsFeatureEnabled"/>.</summary>
    public required EquatableArray<KeyValuePair<string, bool>> FeatureGates { get; init; }

    /// <summary>The klog verbosity (-v / logging.verbosity).</summary>
    public required int Verbosity { get; init; }

    /// <summary>"text" or "json".</summary>
    public required string LoggingFormat { get; init; }

    /// <summary>Our --manifests directory: serve Services and EndpointSlices from files instead of the API.</summary>
    public string? ManifestsDirectory { get; init; }

    /// <summary>Our --nftables-service-tables (see KubeProxy.Nftables.Rendering.ServiceTables).</summary>
    public int NftablesServiceTables { get; init; } = KubeProxy.Nftables.NftablesOptions.DefaultServiceTables;

    /// <summary>The --config file, if any (to watch it).</summary>
    public string? ConfigFile { get; init; }

    public bool IsFeatureEnabled(string name) =>
        KnownFeatureGates.IsEnabled(FeatureGates.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), name);

    /// <summary>
    /// Validates <paramref name="c"/> (platform defaults must already be applied) and converts it.
    /// </summary>
    /// <param name="c">The completed configuration.</param>
    /// <param name="master">The --master override, if given.</param>
    /// <param name="hostName">Returns the machine's host name; defaults to <see cref="Dns.GetHostName"/>.</param>
    /// <exception cref="ConfigurationException">The configuration is invalid or no node name can be found.</exception>
    public static ProxyOptions Create(KubeProxyConfiguration c, string? master = null, Func<string>? hostName = null)
    {
        var errors = KubeProxyConfigurationValidator.Validate(c);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        var nodeName = (c.HostnameOverride.Length > 0 ? c.HostnameOverride : (hostName ?? Dns.GetHostName)()).Trim();
        if (nodeName.Length == 0)
        {
            throw new ConfigurationException("empty hostname is invalid");
        }

        ProxyModes.TryParse(c.Mode, out var mode);
        LocalModes.TryParse(c.DetectLocalMode, out var localMode);
        GoNet.TryParseIP(c.BindAddress, out var bind);
        var ct = c.Conntrack;

        return new ProxyOptions
        {
            Mode = mode,
            NodeName = nodeName.ToLowerInvariant(),
            BindAddress = bind!,
            BindAddressHardFail = c.BindAddressHardFail,
            HealthzBindAddress = EndPoint(c.HealthzBindAddress),
            MetricsBindAddress = EndPoint(c.MetricsBindAddress),
            EnableProfiling = c.EnableProfiling,
            ShowHiddenMetricsForVersion = c.ShowHiddenMetricsForVersion,
            ClientConnection = new ClientConnectionOptions(
                c.ClientConnection.Kubeconfig,
                string.IsNullOrEmpty(master) ? null : master,
                c.ClientConnection.AcceptContentTypes,
                c.ClientConnection.ContentType,
                c.ClientConnection.Qps,
                c.ClientConnection.Burst),
            ConfigSyncPeriod = c.ConfigSyncPeriod.ToTimeSpan(),
            SyncPeriod = ActiveModeSection.SyncPeriod(c).ToTimeSpan(),
            MinSyncPeriod = ActiveModeSection.MinSyncPeriod(c).ToTimeSpan(),
            MasqueradeAll = ActiveModeSection.MasqueradeAll(c),
            MasqueradeBit = ActiveModeSection.MasqueradeBit(c) ?? KubeProxyConfigurationDefaults.MasqueradeBit,
            LocalhostNodePorts = c.IPTables.LocalhostNodePorts ?? true,
            DetectLocalMode = localMode,
            ClusterCidrs = Cidrs(c.ClusterCIDR.Length == 0 ? [] : c.ClusterCIDR.Split(',')),
            BridgeInterface = c.DetectLocal.BridgeInterface,
            InterfaceNamePrefix = c.DetectLocal.InterfaceNamePrefix,
            NodePortAddresses = NodePorts(c.NodePortAddresses),
            Conntrack = new ConntrackOptions(
                ct.MaxPerCore ?? KubeProxyConfigurationDefaults.ConntrackMaxPerCore,
                ct.Min ?? KubeProxyConfigurationDefaults.ConntrackMin,
                (ct.TcpEstablishedTimeout ?? GoDuration.Zero).ToTimeSpan(),
                (ct.TcpCloseWaitTimeout ?? GoDuration.Zero).ToTimeSpan(),
                ct.TcpBeLiberal,
                ct.UdpTimeout.ToTimeSpan(),
                ct.UdpStreamTimeout.ToTimeSpan()),
            Ipvs = new IpvsOptions(
                c.IPVS.Scheduler,
                Cidrs(c.IPVS.ExcludeCIDRs ?? []),
                c.IPVS.StrictARP,
                c.IPVS.TcpTimeout.ToTimeSpan(),
                c.IPVS.TcpFinTimeout.ToTimeSpan(),
                c.IPVS.UdpTimeout.ToTimeSpan()),
            OomScoreAdj = c.OomScoreAdj,
            FeatureGates = new EquatableArray<KeyValuePair<string, bool>>(
                (c.FeatureGates ?? new Dictionary<string, bool>()).OrderBy(p => p.Key, StringComparer.Ordinal)),
            Verbosity = c.Logging.Verbosity,
            LoggingFormat = c.Logging.Format,
        };
    }

    private static IPEndPoint? EndPoint(string address)
    {
        if (address.Length == 0 || !GoNet.TrySplitHostPort(address, out var host, out var port) ||
            !GoNet.TryParseIP(host, out var ip))
        {
            return null;
        }

        return new IPEndPoint(ip, int.Parse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
    }

    // Entries that do not parse are skipped: validation has already rejected them wherever they are used
    // (clusterCIDR is only checked, and only used, in ClusterCIDR mode).
    private static EquatableArray<IPNetwork> Cidrs(IEnumerable<string> texts) =>
        new(texts.Select(t => GoNet.TryParseCidr(t, out var n) ? (IPNetwork?)n : null).OfType<IPNetwork>());

    private static NodePortAddresses NodePorts(List<string>? entries)
    {
        if (entries is null || entries.Count == 0)
        {
            return NodePortAddresses.All;
        }

        return entries is [KubeProxyConfigurationDefaults.NodePortAddressesPrimary]
            ? new NodePortAddresses(EquatableArray<IPNetwork>.Empty, true)
            : new NodePortAddresses(Cidrs(entries), false);
    }
}
