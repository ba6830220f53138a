using System.Reflection;
using KubeProxy.Configuration;

namespace KubeProxy.Cli;

/// <summary>
/// Parses kube-proxy's command line and builds the effective configuration with upstream's precedence
/// (options.go Complete): with --config, the file is the configuration and only --hostname-override, the
/// logging flags (-v, --vmodule, ...) and the non-configuration options (--master, --cleanup, --init-only,
/// --write-config-to, --manifests) still count; every other flag given is ignored and named in a warning.
/// Without --config the flags build the configuration on upstream's defaults.
/// </summary>
public static class KubeProxyCommandLine
{
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="hostName">Returns the host name when there is no hostname override (tests pass a fixed one).</param>
    public static CommandLineResult Parse(IReadOnlyList<string> args, Func<string>? hostName = null)
    {
        var flags = new KubeProxyFlags();
        List<string> warnings;
        try
        {
            (var positional, warnings) = flags.Set.Parse(args);
            if (positional.Any(a => a.Length > 0))
            {
                return Error($"\"kube-proxy\" does not take any arguments, got [{string.Join(" ", positional.Select(a => "\"" + a + "\""))}]");
            }
        }
        catch (FlagParseException e)
        {
            return Error(e.Message);
        }

        if (flags.Help)
        {
            return new CommandLineResult { Action = CliAction.Help, Output = HelpText(flags.Set) };
        }

        if (flags.Version is "true" or "raw")
        {
            return new CommandLineResult { Action = CliAction.Version, Output = VersionText(flags.Version == "raw") };
        }

        KubeProxyConfiguration config;
        string? contentHash = null;
        var usingFile = flags.ConfigFile.Length > 0;
        if (usingFile)
        {
            try
            {
                var loaded = KubeProxyConfigurationLoader.LoadFile(flags.ConfigFile);
                config = loaded.Configuration;
                contentHash = loaded.ContentHash;
                warnings.AddRange(loaded.Warnings);
            }
            catch (ConfigurationException e)
            {
                return Error(e.Message, warnings);
            }

            var ignored = flags.Set.Flags.Where(f => f.Changed && f.IgnoredWithConfig).Select(f => "--" + f.Name).ToList();
            if (ignored.Count > 0)
            {
                warnings.Add($"--config is set, so these flags are ignored: {string.Join(", ", ignored)} " +
                             "(only --hostname-override and the logging flags override the config file)");
            }

            // Flags first, then the file's own entries, as upstream merges vmodule.
            var fileVModule = config.Logging.VModule;
            config.Logging.VModule = null;
            ApplyLoggingFlags(flags, config);
            if (fileVModule is not null)
            {
                config.Logging.VModule = [.. config.Logging.VModule ?? [], .. fileVModule];
            }
        }
        else
        {
            config = flags.Config;
            ApplyLoggingFlags(flags, config);
            ApplyFlagOnlySettings(flags, config);
        }

        KubeProxyConfigurationDefaults.ApplyPlatform(config);

        if (flags.HostnameOverride.Length > 0)
        {
            var trimmed = flags.HostnameOverride.Trim();
            if (trimmed.Length == 0)
            {
                return Error("empty hostname-override is invalid", warnings);
            }

            config.HostnameOverride = trimmed.ToLowerInvariant();
        }

        warnings.AddRange(KnownFeatureGates.Warnings(config.FeatureGates));

        var errors = KubeProxyConfigurationValidator.Validate(config);
        if (errors.Count > 0)
        {
            return Error(FieldError.Join(errors.Select(e => NameFlag(e, flags, usingFile)).ToList()), warnings);
        }

        ProxyOptions options;
        try
        {
            options = ProxyOptions.Create(config, flags.Master, hostName) with
            {
                ManifestsDirectory = flags.Manifests.Length > 0 ? flags.Manifests : null,
                NftablesServiceTables = flags.NftablesServiceTables,
                ConfigFile = usingFile ? flags.ConfigFile : null,
            };
        }
        catch (ConfigurationException e)
        {
            return Error(e.Message, warnings);
        }

        var action = flags.WriteConfigTo.Length > 0 ? CliAction.WriteConfig
            : flags.Cleanup ? CliAction.Cleanup
            : flags.InitOnly ? CliAction.InitOnly
            : CliAction.Run;
        return new CommandLineResult
        {
            Action = action,
            Warnings = warnings,
            Configuration = config,
            Options = options,
            ConfigFile = usingFile ? flags.ConfigFile : null,
            ConfigContentHash = contentHash,
            WriteConfigTo = flags.WriteConfigTo.Length > 0 ? flags.WriteConfigTo : null,
        };
    }

    private static void ApplyLoggingFlags(KubeProxyFlags flags, KubeProxyConfiguration config)
    {
        foreach (var apply in flags.LoggingOverrides)
        {
            apply(config.Logging);
        }
    }

    // The flags upstream keeps aside and applies in Complete / processV1Alpha1Flags when there is no file.
    private static void ApplyFlagOnlySettings(KubeProxyFlags flags, KubeProxyConfiguration config)
    {
        // The deprecated port flags count only when neither --config nor --write-config-to is given; a port of
        // 0 disables the server.
        if (flags.WriteConfigTo.Length == 0)
        {
            config.HealthzBindAddress = flags.HealthzPort == 0
                ? string.Empty
                : GoNet.AppendPortIfNeeded(config.HealthzBindAddress, flags.HealthzPort);
            config.MetricsBindAddress = flags.MetricsPort == 0
                ? string.Empty
                : GoNet.AppendPortIfNeeded(config.MetricsBindAddress, flags.MetricsPort);
        }

        // --iptables-*-sync-period feed every mode but ipvs; --ipvs-*-sync-period only ipvs. The mode here is
        // the one given by flags, before "" becomes iptables.
        var ipvs = config.Mode == ProxyModes.IPVS;
        if (flags.Set.Changed("iptables-sync-period") && !ipvs)
        {
            config.IPTables.SyncPeriod = config.NFTables.SyncPeriod = flags.IptablesSyncPeriod;
        }

        if (flags.Set.Changed("iptables-min-sync-period") && !ipvs)
        {
            config.IPTables.MinSyncPeriod = config.NFTables.MinSyncPeriod = flags.IptablesMinSyncPeriod;
        }

        if (flags.Set.Changed("ipvs-sync-period") && ipvs)
        {
            config.IPVS.SyncPeriod = flags.IpvsSyncPeriod;
        }

        if (flags.Set.Changed("ipvs-min-sync-period") && ipvs)
        {
            config.IPVS.MinSyncPeriod = flags.IpvsMinSyncPeriod;
        }

        if (flags.Set.Changed("cluster-cidr"))
        {
            config.ClusterCIDR = flags.ClusterCidr;
        }
    }

    // "KubeProxyConfiguration.iptables.masqueradeBit: ... (from --iptables-masquerade-bit)" when a flag set it.
    private static FieldError NameFlag(FieldError error, KubeProxyFlags flags, bool usingFile)
    {
        var path = error.Path[(FieldError.Root.Length + 1)..];
        var flag = flags.Set.Flags.FirstOrDefault(f =>
            f.Changed && (!usingFile || !f.IgnoredWithConfig) &&
            f.Fields.Any(field => path == field || path.StartsWith(field + "[", StringComparison.Ordinal) ||
                                  path.StartsWith(field + ".", StringComparison.Ordinal)));
        return flag is null ? error : error with { Detail = error.Detail + $" (set by --{flag.Name})" };
    }

    private static CommandLineResult Error(string message, IReadOnlyList<string>? warnings = null) =>
        new() { Action = CliAction.Error, ErrorMessage = message, Warnings = warnings ?? [] };

    private static string HelpText(FlagSet set) =>
        "The Kubernetes network proxy runs on each node. This reflects services as defined in the Kubernetes API\n" +
        "on each node and can do simple TCP, UDP, and SCTP stream forwarding or round robin TCP, UDP, and SCTP\n" +
        "forwarding across a set of backends.\n\n" +
        "Usage:\n  kube-proxy [flags]\n\nFlags:\n" + set.Usage();

    private static string VersionText(bool raw)
    {
        var ours = typeof(KubeProxyCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion ?? "unknown";
        var line = $"Kubernetes {KubernetesCompatibility.GitVersion}\n";
        return raw
            ? line + $"kube-proxy for .NET {ours}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
                     $"{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}\n"
            : line;
    }
}
