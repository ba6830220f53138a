using System.Text.Json.Nodes;

namespace KubeProxy.Configuration;

/// <summary>
/// Writes the effective configuration as upstream's <c>--write-config-to</c> does: v1alpha1 field names, every
/// field present (unset pointers as <c>null</c>, Go's <c>omitempty</c> fields left out when empty), durations as
/// Go prints them, keys sorted. The sync periods and masqueradeAll appear only in the active mode's section, as
/// upstream's internal round trip leaves them; reading the file back gives the same effective options.
/// </summary>
public static class KubeProxyConfigurationWriter
{
    public static string ToYaml(KubeProxyConfiguration configuration)
    {
        var c = configuration.Clone();
        ActiveModeSection.NormalizeForWrite(c);
        return YamlTreeWriter.Write(ToTree(c));
    }

    /// <summary>Writes the YAML to <paramref name="path"/>, replacing any existing file.</summary>
    public static void WriteFile(string path, KubeProxyConfiguration configuration) =>
        File.WriteAllText(path, ToYaml(configuration));

    internal static JsonObject ToTree(KubeProxyConfiguration c)
    {
        var root = new JsonObject
        {
            ["apiVersion"] = KubeProxyConfiguration.ApiVersionV1Alpha1,
            ["kind"] = KubeProxyConfiguration.KindName,
            ["bindAddress"] = c.BindAddress,
            ["bindAddressHardFail"] = c.BindAddressHardFail,
            ["clientConnection"] = new JsonObject
            {
                ["acceptContentTypes"] = c.ClientConnection.AcceptContentTypes,
                ["burst"] = c.ClientConnection.Burst,
                ["contentType"] = c.ClientConnection.ContentType,
                ["kubeconfig"] = c.ClientConnection.Kubeconfig,
                ["qps"] = c.ClientConnection.Qps,
            },
            ["clusterCIDR"] = c.ClusterCIDR,
            ["configSyncPeriod"] = c.ConfigSyncPeriod.ToString(),
            ["conntrack"] = new JsonObject
            {
                ["maxPerCore"] = c.Conntrack.MaxPerCore,
                ["min"] = c.Conntrack.Min,
                ["tcpBeLiberal"] = c.Conntrack.TcpBeLiberal,
                ["tcpCloseWaitTimeout"] = c.Conntrack.TcpCloseWaitTimeout?.ToString(),
                ["tcpEstablishedTimeout"] = c.Conntrack.TcpEstablishedTimeout?.ToString(),
                ["udpStreamTimeout"] = c.Conntrack.UdpStreamTimeout.ToString(),
                ["udpTimeout"] = c.Conntrack.UdpTimeout.ToString(),
            },
            ["detectLocal"] = new JsonObject
            {
                ["bridgeInterface"] = c.DetectLocal.BridgeInterface,
                ["interfaceNamePrefix"] = c.DetectLocal.InterfaceNamePrefix,
            },
            ["detectLocalMode"] = c.DetectLocalMode,
            ["enableProfiling"] = c.EnableProfiling,
            ["healthzBindAddress"] = c.HealthzBindAddress,
            ["hostnameOverride"] = c.HostnameOverride,
            ["iptables"] = new JsonObject
            {
                ["localhostNodePorts"] = c.IPTables.LocalhostNodePorts,
                ["masqueradeAll"] = c.IPTables.MasqueradeAll,
                ["masqueradeBit"] = c.IPTables.MasqueradeBit,
                ["minSyncPeriod"] = c.IPTables.MinSyncPeriod.ToString(),
                ["syncPeriod"] = c.IPTables.SyncPeriod.ToString(),
            },
            ["ipvs"] = new JsonObject
            {
                ["excludeCIDRs"] = StringArray(c.IPVS.ExcludeCIDRs),
                ["minSyncPeriod"] = c.IPVS.MinSyncPeriod.ToString(),
                ["scheduler"] = c.IPVS.Scheduler,
                ["strictARP"] = c.IPVS.StrictARP,
                ["syncPeriod"] = c.IPVS.SyncPeriod.ToString(),
                ["tcpFinTimeout"] = c.IPVS.TcpFinTimeout.ToString(),
                ["tcpTimeout"] = c.IPVS.TcpTimeout.ToString(),
                ["udpTimeout"] = c.IPVS.UdpTimeout.ToString(),
            },
            ["logging"] = LoggingTree(c.Logging),
            ["metricsBindAddress"] = c.MetricsBindAddress,
            ["mode"] = c.Mode,
            ["nftables"] = new JsonObject
            {
                ["masqueradeAll"] = c.NFTables.MasqueradeAll,
                ["masqueradeBit"] = c.NFTables.MasqueradeBit,
                ["minSyncPeriod"] = c.NFTables.MinSyncPeriod.ToString(),
                ["syncPeriod"] = c.NFTables.SyncPeriod.ToString(),
            },
            ["nodePortAddresses"] = StringArray(c.NodePortAddresses),
            ["oomScoreAdj"] = c.OomScoreAdj,
            ["portRange"] = c.PortRange,
            ["showHiddenMetricsForVersion"] = c.ShowHiddenMetricsForVersion,
            ["winkernel"] = new JsonObject
            {
                ["enableDSR"] = c.Winkernel.EnableDSR,
                ["forwardHealthCheckVip"] = c.Winkernel.ForwardHealthCheckVip,
                ["networkName"] = c.Winkernel.NetworkName,
                ["rootHnsEndpointName"] = c.Winkernel.RootHnsEndpointName,
                ["sourceVip"] = c.Winkernel.SourceVip,
            },
        };

        // Go's omitempty fields.
        if (c.FeatureGates is { Count: > 0 } gates)
        {
            var map = new JsonObject();
            foreach (var (name, enabled) in gates)
            {
                map[name] = enabled;
            }

            root["featureGates"] = map;
        }

        if (c.WindowsRunAsService)
        {
            root["windowsRunAsService"] = true;
        }

        return root;
    }

    private static JsonObject LoggingTree(LoggingConfiguration logging)
    {
        var tree = new JsonObject
        {
            ["flushFrequency"] = logging.FlushFrequency.ToString(),
            ["options"] = new JsonObject
            {
                ["json"] = OutputTree(logging.Json),
                ["text"] = OutputTree(logging.Text),
            },
            ["verbosity"] = logging.Verbosity,
        };
        if (logging.Format.Length != 0)
        {
            tree["format"] = logging.Format;
        }

        if (logging.VModule is { Count: > 0 } vmodule)
        {
            var list = new JsonArray();
            foreach (var item in vmodule)
            {
                list.Add(new JsonObject { ["filePattern"] = item.FilePattern, ["verbosity"] = item.Verbosity });
            }

            tree["vmodule"] = list;
        }

        return tree;
    }

    private static JsonObject OutputTree(LoggingOutputOptions output)
    {
        var tree = new JsonObject { ["infoBufferSize"] = output.InfoBufferSize };
        if (output.SplitStream)
        {
            tree["splitStream"] = true;
        }

        return tree;
    }

    private static JsonArray? StringArray(List<string>? values) =>
        values is null ? null : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
