namespace KubeProxy.Configuration;

/// <summary>
/// Feature gates kube-proxy 1.35 is known to look at. Upstream rejects any gate name its binary does not
/// know, but that list spans all of Kubernetes and changes each release; rejecting a name we merely do not list
/// would stop a config that upstream accepts. So unknown names, and GA gates switched off, only warn.
/// </summary>
public static class KnownFeatureGates
{
    /// <summary>Known gates with their default, and whether they are GA and locked to that default.</summary>
    public static IReadOnlyDictionary<string, (bool Default, bool Locked)> Known { get; } =
        new Dictionary<string, (bool, bool)>(StringComparer.Ordinal)
        {
            ["AllAlpha"] = (false, false),
            ["AllBeta"] = (false, false),
            ["ContextualLogging"] = (true, false),
            ["LoggingAlphaOptions"] = (false, false),
            ["LoggingBetaOptions"] = (true, false),
            ["ComponentFlagz"] = (false, false),
            ["ComponentStatusz"] = (false, false),
            ["NFTablesProxyMode"] = (true, true),
            ["MultiCIDRServiceAllocator"] = (true, true),
            ["ServiceTrafficDistribution"] = (true, true),
            ["PreferSameTrafficDistribution"] = (true, false),
            ["TopologyAwareHints"] = (true, true),
            ["KubeProxyDrainingTerminatingNodes"] = (true, true),
            ["LoadBalancerIPMode"] = (true, true),
            ["StrictIPCIDRValidation"] = (false, false),
            ["WinDSR"] = (false, false),
            ["WinOverlay"] = (true, false),
        };

    /// <summary>Warnings for gates we do not know and for locked gates set against their locked value.</summary>
    public static IReadOnlyList<string> Warnings(IReadOnlyDictionary<string, bool>? gates)
    {
        var warnings = new List<string>();
        foreach (var (name, enabled) in gates ?? new Dictionary<string, bool>())
        {
            if (!Known.TryGetValue(name, out var known))
            {
                warnings.Add($"unrecognized feature gate: {name} (ignored)");
            }
            else if (known.Locked && enabled != known.Default)
            {
                warnings.Add($"feature gate {name} is GA and locked to {(known.Default ? "true" : "false")}; the setting is ignored");
            }
        }

        return warnings;
    }

    /// <summary>Whether a gate is on, given the configured overrides.</summary>
    public static bool IsEnabled(IReadOnlyDictionary<string, bool> gates, string name)
    {
        if (Known.TryGetValue(name, out var known) && known.Locked)
        {
            return known.Default;
        }

        return gates.TryGetValue(name, out var enabled) ? enabled : known.Default;
    }
}
