using KubeProxy.Core.Model;

namespace KubeProxy.Nftables.Rendering;

/// <summary>A chain owned by one Service, with its complete rule list.</summary>
public sealed record RenderedChain(string Name, IReadOnlyList<string> Rules);

/// <summary>An element of a set (Value empty) or verdict map, owned by one Service.</summary>
public readonly record struct MapElement(string Map, string Key, string Value, string? Comment = null);

/// <summary>A per-endpoint ClientIP affinity set with its timeout.</summary>
public readonly record struct AffinitySet(string Name, int TimeoutSeconds);

/// <summary>Everything one Service contributes to the ruleset: its chains, its map elements, its affinity sets.</summary>
public sealed class ServiceRules
{
    public ServiceRules(ObjectName service, int elementCapacity = 0)
    {
        Service = service;
        Elements = new List<MapElement>(elementCapacity);
    }

    public ObjectName Service { get; }

    public List<RenderedChain> Chains { get; } = [];

    public List<MapElement> Elements { get; }

    public List<AffinitySet> AffinitySets { get; } = [];
}
