using System.Globalization;
using System.Net.Sockets;

namespace KubeProxy.Configuration;

/// <summary>
/// Upstream's validation (pkg/proxy/apis/config/validation/validation.go, 1.31+), reporting each problem under
/// its v1alpha1 field path. Run it after <see cref="KubeProxyConfigurationDefaults.ApplyPlatform"/>, as upstream
/// validates the completed configuration. Checks that need the node's IP family live in
/// <see cref="StartupConfigChecks"/>.
/// </summary>
public static class KubeProxyConfigurationValidator
{
    public static IReadOnlyList<FieldError> Validate(KubeProxyConfiguration c)
    {
        var errors = new List<FieldError>();

        CheckMasqueradeBit(errors, "iptables.masqueradeBit", c.IPTables.MasqueradeBit);
        switch (c.Mode)
        {
            case ProxyModes.IPVS:
                CheckNonNegative(errors, "ipvs.tcpTimeout", c.IPVS.TcpTimeout);
                CheckNonNegative(errors, "ipvs.tcpFinTimeout", c.IPVS.TcpFinTimeout);
                CheckNonNegative(errors, "ipvs.udpTimeout", c.IPVS.UdpTimeout);
                CheckCidrList(errors, "ipvs.excludeCIDRs", c.IPVS.ExcludeCIDRs);
                break;
            case ProxyModes.NFTables:
                CheckMasqueradeBit(errors, "nftables.masqueradeBit", c.NFTables.MasqueradeBit);
                break;
        }

        CheckConntrack(errors, c.Conntrack);
        if (c.OomScoreAdj is < -1000 or > 1000)
        {
            errors.Add(FieldError.Invalid("oomScoreAdj", c.OomScoreAdj.Value, "must be within the range [-1000, 1000]"));
        }

        if (c.Mode.Length != 0 && !ProxyModes.All.Contains(c.Mode))
        {
            errors.Add(FieldError.Invalid("mode", c.Mode,
                "must be " + string.Join(", ", ProxyModes.All) +
                " or blank (blank means the best-available proxy [currently iptables])"));
        }

        if (c.ClientConnection.Burst < 0)
        {
            errors.Add(FieldError.Invalid("clientConnection.burst", c.ClientConnection.Burst,
                "must be greater than or equal to 0"));
        }

        if (c.ConfigSyncPeriod <= GoDuration.Zero)
        {
            errors.Add(FieldError.Invalid("configSyncPeriod", c.ConfigSyncPeriod, "must be greater than 0"));
        }

        CheckSyncPeriods(errors, c);

        if (!GoNet.TryParseIP(c.BindAddress, out _))
        {
            errors.Add(FieldError.Invalid("bindAddress", c.BindAddress,
                "not a valid textual representation of an IP address"));
        }

        if (c.HealthzBindAddress.Length != 0)
        {
            CheckHostPort(errors, "healthzBindAddress", c.HealthzBindAddress);
        }

        CheckHostPort(errors, "metricsBindAddress", c.MetricsBindAddress);

        if (!GoPortRange.TryParse(c.PortRange, out _, out _))
        {
            errors.Add(FieldError.Invalid("portRange", c.PortRange, "must be a valid port range (e.g. 300-2000)"));
        }

        CheckNodePortAddresses(errors, c.NodePortAddresses);

        if (c.ShowHiddenMetricsForVersion.Length != 0 &&
            c.ShowHiddenMetricsForVersion != KubernetesCompatibility.PreviousMinor)
        {
            errors.Add(FieldError.Invalid("showHiddenMetricsForVersion", c.ShowHiddenMetricsForVersion,
                $"must be omitted or have the value '{KubernetesCompatibility.PreviousMinor}'; " +
                "only the previous minor version is allowed"));
        }

        CheckDetectLocal(errors, c);
        CheckLogging(errors, c.Logging);
        return errors;
    }

    private static void CheckMasqueradeBit(List<FieldError> errors, string path, int? bit)
    {
        if (bit is < 0 or > 31)
        {
            errors.Add(FieldError.Invalid(path, bit.Value, "must be within the range [0, 31]"));
        }
    }

    private static void CheckNonNegative(List<FieldError> errors, string path, GoDuration? value)
    {
        if (value is { } d && d < GoDuration.Zero)
        {
            errors.Add(FieldError.Invalid(path, d, "must be greater than or equal to 0"));
        }
    }

    private static void CheckConntrack(List<FieldError> errors, KubeProxyConntrackConfiguration ct)
    {
        if (ct.MaxPerCore < 0)
        {
            errors.Add(FieldError.Invalid("conntrack.maxPerCore", ct.MaxPerCore.Value, "must be greater than or equal to 0"));
        }

        if (ct.Min < 0)
        {
            errors.Add(FieldError.Invalid("conntrack.min", ct.Min.Value, "must be greater than or equal to 0"));
        }

        CheckNonNegative(errors, "conntrack.tcpEstablishedTimeout", ct.TcpEstablishedTimeout);
        CheckNonNegative(errors, "conntrack.tcpCloseWaitTimeout", ct.TcpCloseWaitTimeout);
        CheckNonNegative(errors, "conntrack.udpTimeout", ct.UdpTimeout);
        CheckNonNegative(errors, "conntrack.udpStreamTimeout", ct.UdpStreamTimeout);
    }

    private static void CheckSyncPeriods(List<FieldError> errors, KubeProxyConfiguration c)
    {
        var section = ActiveModeSection.SyncSection(c.Mode);
        var sync = ActiveModeSection.SyncPeriod(c);
        var minSync = ActiveModeSection.MinSyncPeriod(c);
        if (sync <= GoDuration.Zero)
        {
            errors.Add(FieldError.Invalid(section + ".syncPeriod", sync, "must be greater than 0"));
        }

        if (minSync < GoDuration.Zero)
        {
            errors.Add(FieldError.Invalid(section + ".minSyncPeriod", minSync, "must be greater than or equal to 0"));
        }

        // Upstream reports this one on syncPeriod but shows the minimum's value.
        if (minSync > sync)
        {
            errors.Add(FieldError.Invalid(section + ".syncPeriod", minSync,
                "must be greater than or equal to " + FieldError.Root + "." + section + ".minSyncPeriod"));
        }
    }

    private static void CheckHostPort(List<FieldError> errors, string path, string value)
    {
        if (!GoNet.TrySplitHostPort(value, out var host, out var port))
        {
            errors.Add(FieldError.Invalid(path, value, "must be IP:port"));
            return;
        }

        if (!GoNet.TryParseIP(host, out _))
        {
            errors.Add(FieldError.Invalid(path, host, "must be a valid IP"));
        }

        if (!GoNet.TryParseDecimal(port, out var number) || number is < 1 or > 65535)
        {
            errors.Add(FieldError.Invalid(path, port, "must be a valid port"));
        }
    }

    private static void CheckCidrList(List<FieldError> errors, string path, List<string>? cidrs)
    {
        for (var i = 0; i < (cidrs?.Count ?? 0); i++)
        {
            if (!GoNet.TryParseCidr(cidrs![i], out _))
            {
                errors.Add(FieldError.Invalid(Index(path, i), cidrs[i], "must be a valid CIDR"));
            }
        }
    }

    private static void CheckNodePortAddresses(List<FieldError> errors, List<string>? addresses)
    {
        for (var i = 0; i < (addresses?.Count ?? 0); i++)
        {
            var entry = addresses![i];
            if (entry == KubeProxyConfigurationDefaults.NodePortAddressesPrimary)
            {
                if (i != 0 || addresses.Count != 1)
                {
                    errors.Add(FieldError.Invalid(Index("nodePortAddresses", i), entry, "can't use both 'primary' and CIDRs"));
                }

                break;
            }

            if (!GoNet.TryParseCidr(entry, out _))
            {
                errors.Add(FieldError.Invalid(Index("nodePortAddresses", i), entry, "must be a valid CIDR"));
            }
        }
    }

    private static void CheckDetectLocal(List<FieldError> errors, KubeProxyConfiguration c)
    {
        if (!LocalModes.Supported.Contains(c.DetectLocalMode))
        {
            errors.Add(FieldError.NotSupported("detectLocalMode", c.DetectLocalMode, LocalModes.Supported));
            return;
        }

        switch (c.DetectLocalMode)
        {
            case LocalModes.BridgeInterface when c.DetectLocal.BridgeInterface.Length == 0:
                errors.Add(FieldError.Invalid("detectLocal.bridgeInterface", c.DetectLocal.BridgeInterface, "must not be empty"));
                break;
            case LocalModes.InterfaceNamePrefix when c.DetectLocal.InterfaceNamePrefix.Length == 0:
                errors.Add(FieldError.Invalid("detectLocal.interfaceNamePrefix", c.DetectLocal.InterfaceNamePrefix, "must not be empty"));
                break;
            case LocalModes.ClusterCIDR when c.ClusterCIDR.Length != 0:
                CheckClusterCidr(errors, c.ClusterCIDR);
                break;
        }
    }

    // Only checked in ClusterCIDR mode, as upstream: in other modes clusterCIDR is not used.
    private static void CheckClusterCidr(List<FieldError> errors, string clusterCidr)
    {
        const string PairDetail =
            "must be a single CIDR or a dual-stack pair of CIDRs (e.g. 10.100.0.0/16,fde4:8dba:82e1::/48)";
        var parts = clusterCidr.Split(',');
        if (parts.Length > 2)
        {
            errors.Add(FieldError.Invalid("clusterCIDR", clusterCidr, PairDetail));
            return;
        }

        var families = new List<AddressFamily>();
        foreach (var part in parts)
        {
            if (GoNet.TryParseCidr(part, out var network))
            {
                families.Add(network.BaseAddress.AddressFamily);
            }
            else
            {
                errors.Add(FieldError.Invalid("clusterCIDR", part, "must be a valid CIDR"));
            }
        }

        if (families.Count == 2 && families[0] == families[1])
        {
            errors.Add(FieldError.Invalid("clusterCIDR", clusterCidr, PairDetail));
        }
    }

    private static void CheckLogging(List<FieldError> errors, LoggingConfiguration logging)
    {
        if (logging.Format is not ("text" or "json"))
        {
            errors.Add(FieldError.NotSupported("logging.format", logging.Format, ["json", "text"]));
        }

        if (logging.FlushFrequency <= GoDuration.Zero)
        {
            errors.Add(FieldError.Invalid("logging.flushFrequency", logging.FlushFrequency, "must be greater than 0"));
        }

        for (var i = 0; i < (logging.VModule?.Count ?? 0); i++)
        {
            var item = logging.VModule![i];
            if (item.FilePattern.Length == 0 || item.FilePattern.Contains('=', StringComparison.Ordinal) ||
                item.FilePattern.Contains(',', StringComparison.Ordinal))
            {
                errors.Add(FieldError.Invalid(Index("logging.vmodule", i) + ".filePattern", item.FilePattern,
                    "must be a non-empty file pattern without '=' or ','"));
            }
        }
    }

    private static string Index(string path, int i) => path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
}
