using System.Collections.Immutable;
using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Core.Snapshot;

/// <summary>
/// The immutable view one IP family's data plane renders: every Service port with its endpoint sets already
/// chosen, this node, the ServiceCIDRs, and what changed since the previous snapshot. Built from the previous
/// snapshot by touching only the changed Services, so building it costs what changed, not what exists.
/// </summary>
public sealed class ProxySnapshot
{
    public static ProxySnapshot Empty(IPFamily family, string nodeName) => new()
    {
        Family = family,
        Node = new NodeView { Name = nodeName },
    };

    public required IPFamily Family { get; init; }

    /// <summary>Increases by one per snapshot built.</summary>
    public long Generation { get; init; }

    public ImmutableDictionary<ServicePortName, ServicePortState> ServicePorts { get; init; } =
        ImmutableDictionary<ServicePortName, ServicePortState>.Empty;

    /// <summary>The ports of each Service present in <see cref="ServicePorts"/>, for per-Service rendering.</summary>
    public ImmutableDictionary<ObjectName, ImmutableArray<ServicePortName>> PortsByService { get; init; } =
        ImmutableDictionary<ObjectName, ImmutableArray<ServicePortName>>.Empty;

    public required NodeView Node { get; init; }

    /// <summary>ServiceCIDRs of this family (nftables drops traffic to unallocated addresses inside them).</summary>
    public EquatableArray<IPNetwork> ServiceCidrs { get; init; } = EquatableArray<IPNetwork>.Empty;

    /// <summary>Services whose ports or endpoints differ from the previous snapshot (added, changed or removed).</summary>
    public ImmutableHashSet<ObjectName> ChangedServices { get; init; } = ImmutableHashSet<ObjectName>.Empty;

    /// <summary>Services whose endpoints (not only their spec) changed: conntrack cleanup looks at these.</summary>
    public ImmutableHashSet<ObjectName> ChangedEndpoints { get; init; } = ImmutableHashSet<ObjectName>.Empty;

    /// <summary>Node labels/IPs/podCIDRs or ServiceCIDRs changed: every Service may render differently.</summary>
    public bool NodeChanged { get; init; }

    /// <summary>Earliest last-change-trigger-time per changed Service, for network_programming_duration_seconds.</summary>
    public ImmutableDictionary<ObjectName, DateTimeOffset> LastChangeTriggerTimes { get; init; } =
        ImmutableDictionary<ObjectName, DateTimeOffset>.Empty;

    public int ServiceCount => PortsByService.Count;

    /// <summary>The ports of one Service, or none.</summary>
    public IEnumerable<ServicePortState> PortsOf(ObjectName service)
    {
        if (!PortsByService.TryGetValue(service, out var names)) yield break;
        foreach (var n in names) yield return ServicePorts[n];
    }
}
