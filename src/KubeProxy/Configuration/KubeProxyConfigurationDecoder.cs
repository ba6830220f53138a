using System.Text.Json.Nodes;

namespace KubeProxy.Configuration;

/// <summary>
/// Turns a parsed config tree into a <see cref="KubeProxyConfiguration"/> (no defaults applied). It checks
/// apiVersion and kind first, as upstream's scheme does, then reads every v1alpha1 field by its exact name.
/// </summary>
internal static class KubeProxyConfigurationDecoder
{
    /// <exception cref="ConfigurationException">Wrong apiVersion/kind, or a field of the wrong type.</exception>
    public static KubeProxyConfiguration Decode(JsonNode? root, ConfigDecodeProblems problems)
    {
        if (root is not JsonObject obj)
        {
            throw new ConfigurationException(root is null
                ? "config file is empty: expected a " + KubeProxyConfiguration.KindName + " object"
                : "config file is not an object: expected a " + KubeProxyConfiguration.KindName + " object");
        }

        var r = new ConfigObjectReader(obj, string.Empty, problems);
        CheckTypeMeta(r.String("apiVersion"), r.String("kind"));

        var config = new KubeProxyConfiguration
        {
            FeatureGates = r.BoolMap("featureGates"),
            HostnameOverride = r.String("hostnameOverride") ?? string.Empty,
            BindAddress = r.String("bindAddress") ?? string.Empty,
            HealthzBindAddress = r.String("healthzBindAddress") ?? string.Empty,
            MetricsBindAddress = r.String("metricsBindAddress") ?? string.Empty,
            BindAddressHardFail = r.Bool("bindAddressHardFail") ?? false,
            EnableProfiling = r.Bool("enableProfiling") ?? false,
            ShowHiddenMetricsForVersion = r.String("showHiddenMetricsForVersion") ?? string.Empty,
            Mode = r.String("mode") ?? string.Empty,
            DetectLocalMode = r.String("detectLocalMode") ?? string.Empty,
            ClusterCIDR = r.String("clusterCIDR") ?? string.Empty,
            NodePortAddresses = r.StringList("nodePortAddresses"),
            OomScoreAdj = r.Int32("oomScoreAdj"),
            ConfigSyncPeriod = r.Duration("configSyncPeriod") ?? default,
            PortRange = r.String("portRange") ?? string.Empty,
            WindowsRunAsService = r.Bool("windowsRunAsService") ?? false,
        };

        if (r.Object("clientConnection") is { } cc)
        {
            config.ClientConnection = new ClientConnectionConfiguration
            {
                Kubeconfig = cc.String("kubeconfig") ?? string.Empty,
                AcceptContentTypes = cc.String("acceptContentTypes") ?? string.Empty,
                ContentType = cc.String("contentType") ?? string.Empty,
                Qps = cc.Float32("qps") ?? 0,
                Burst = cc.Int32("burst") ?? 0,
            };
            cc.Finish();
        }

        if (r.Object("logging") is { } logging)
        {
            config.Logging = DecodeLogging(logging);
        }

        if (r.Object("iptables") is { } ipt)
        {
            config.IPTables = new KubeProxyIPTablesConfiguration
            {
                MasqueradeBit = ipt.Int32("masqueradeBit"),
                MasqueradeAll = ipt.Bool("masqueradeAll") ?? false,
                LocalhostNodePorts = ipt.Bool("localhostNodePorts"),
                SyncPeriod = ipt.Duration("syncPeriod") ?? default,
                MinSyncPeriod = ipt.Duration("minSyncPeriod") ?? default,
            };
            ipt.Finish();
        }

        if (r.Object("ipvs") is { } ipvs)
        {
            config.IPVS = new KubeProxyIPVSConfiguration
            {
                SyncPeriod = ipvs.Duration("syncPeriod") ?? default,
                MinSyncPeriod = ipvs.Duration("minSyncPeriod") ?? default,
                Scheduler = ipvs.String("scheduler") ?? string.Empty,
                ExcludeCIDRs = ipvs.StringList("excludeCIDRs"),
                StrictARP = ipvs.Bool("strictARP") ?? false,
                TcpTimeout = ipvs.Duration("tcpTimeout") ?? default,
                TcpFinTimeout = ipvs.Duration("tcpFinTimeout") ?? default,
                UdpTimeout = ipvs.Duration("udpTimeout") ?? default,
            };
            ipvs.Finish();
        }

        if (r.Object("nftables") is { } nft)
        {
            config.NFTables = new KubeProxyNFTablesConfiguration
            {
                MasqueradeBit = nft.Int32("masqueradeBit"),
                MasqueradeAll = nft.Bool("masqueradeAll") ?? false,
                SyncPeriod = nft.Duration("syncPeriod") ?? default,
                MinSyncPeriod = nft.Duration("minSyncPeriod") ?? default,
            };
            nft.Finish();
        }

        if (r.Object("winkernel") is { } win)
        {
            config.Winkernel = new KubeProxyWinkernelConfiguration
            {
                NetworkName = win.String("networkName") ?? string.Empty,
                SourceVip = win.String("sourceVip") ?? string.Empty,
                EnableDSR = win.Bool("enableDSR") ?? false,
                RootHnsEndpointName = win.String("rootHnsEndpointName") ?? string.Empty,
                ForwardHealthCheckVip = win.Bool("forwardHealthCheckVip") ?? false,
            };
            win.Finish();
        }

        if (r.Object("detectLocal") is { } dl)
        {
            config.DetectLocal = new DetectLocalConfiguration
            {
                BridgeInterface = dl.String("bridgeInterface") ?? string.Empty,
                InterfaceNamePrefix = dl.String("interfaceNamePrefix") ?? string.Empty,
            };
            dl.Finish();
        }

        if (r.Object("conntrack") is { } ct)
        {
            config.Conntrack = new KubeProxyConntrackConfiguration
            {
                MaxPerCore = ct.Int32("maxPerCore"),
                Min = ct.Int32("min"),
                TcpEstablishedTimeout = ct.Duration("tcpEstablishedTimeout"),
                TcpCloseWaitTimeout = ct.Duration("tcpCloseWaitTimeout"),
                TcpBeLiberal = ct.Bool("tcpBeLiberal") ?? false,
                UdpTimeout = ct.Duration("udpTimeout") ?? default,
                UdpStreamTimeout = ct.Duration("udpStreamTimeout") ?? default,
            };
            ct.Finish();
        }

        r.Finish();
        if (problems.Errors.Count > 0)
        {
            throw new ConfigurationException("failed to decode config file: " + string.Join("; ", problems.Errors));
        }

        return config;
    }

    private static void CheckTypeMeta(string? apiVersion, string? kind)
    {
        if (string.IsNullOrEmpty(kind))
        {
            throw new ConfigurationException(
                $"config file has no \"kind\": expected kind \"{KubeProxyConfiguration.KindName}\" " +
                $"of apiVersion \"{KubeProxyConfiguration.ApiVersionV1Alpha1}\"");
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            throw new ConfigurationException(
                $"config file has no \"apiVersion\": expected \"{KubeProxyConfiguration.ApiVersionV1Alpha1}\"");
        }

        if (apiVersion != KubeProxyConfiguration.ApiVersionV1Alpha1 || kind != KubeProxyConfiguration.KindName)
        {
            throw new ConfigurationException(
                $"no kind \"{kind}\" is registered for version \"{apiVersion}\": expected apiVersion " +
                $"\"{KubeProxyConfiguration.ApiVersionV1Alpha1}\" and kind \"{KubeProxyConfiguration.KindName}\"");
        }
    }

    private static LoggingConfiguration DecodeLogging(ConfigObjectReader r)
    {
        var logging = new LoggingConfiguration
        {
            Format = r.String("format") ?? string.Empty,
            FlushFrequency = r.Duration("flushFrequency", allowNanoseconds: true) ?? default,
            Verbosity = r.UInt32AsInt("verbosity") ?? 0,
        };

        if (r.ObjectList("vmodule") is { } items)
        {
            logging.VModule = [];
            foreach (var item in items)
            {
                logging.VModule.Add(new VModuleItem(item.String("filePattern") ?? string.Empty,
                    item.UInt32AsInt("verbosity") ?? 0));
                item.Finish();
            }
        }

        if (r.Object("options") is { } options)
        {
            if (options.Object("text") is { } text)
            {
                logging.Text = DecodeOutput(text);
            }

            if (options.Object("json") is { } json)
            {
                logging.Json = DecodeOutput(json);
            }

            options.Finish();
        }

        r.Finish();
        return logging;
    }

    private static LoggingOutputOptions DecodeOutput(ConfigObjectReader r)
    {
        var output = new LoggingOutputOptions
        {
            SplitStream = r.Bool("splitStream") ?? false,
            InfoBufferSize = r.Quantity("infoBufferSize") ?? string.Empty,
        };
        r.Finish();
        return output;
    }
}
