using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.State;

/// <summary>
/// What one Service has in the kernel, as far as this process knows: its chains (by a hash of their rules, which is
/// all a comparison needs), its map elements (key → hash of value and comment) and its affinity sets. Kept small on
/// purpose: at 50,000 Services this is most of the data plane's memory.
/// </summary>
public sealed class ServiceRecord
{
    public static readonly ServiceRecord Empty = new();

    public Dictionary<string, ulong> Chains { get; } = new(StringComparer.Ordinal);

    public Dictionary<ElementKey, ulong> Elements { get; } = [];

    public Dictionary<string, int> AffinitySets { get; } = new(StringComparer.Ordinal);

    public static ServiceRecord From(ServiceRules rules)
    {
        var record = new ServiceRecord();
        foreach (var chain in rules.Chains) record.Chains[chain.Name] = Hash.Of(chain.Rules);
        foreach (var e in rules.Elements) record.Elements[new ElementKey(e.Map, e.Key)] = Hash.Of(e.Value, e.Comment);
        foreach (var s in rules.AffinitySets) record.AffinitySets[s.Name] = s.TimeoutSeconds;
        return record;
    }
}

/// <summary>A set or map element's identity: the map and the key.</summary>
public readonly record struct ElementKey(string Map, string Key);
