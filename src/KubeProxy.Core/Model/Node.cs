using System.Collections.Immutable;
using System.Net;

namespace KubeProxy.Core.Model;

/// <summary>The typed view of this node's v1 Node object.</summary>
public sealed record Node
{
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string ToBeDeletedTaint = "ToBeDeletedByClusterAutoscaler";

    public required string Name { get; init; }

    /// <summary>InternalIP addresses first, then ExternalIP, in status order (upstream's GetNodeHostIPs order).</summary>
    public EquatableArray<IPAddress> Addresses { get; init; } = EquatableArray<IPAddress>.Empty;

    public EquatableArray<IPNetwork> PodCIDRs { get; init; } = EquatableArray<IPNetwork>.Empty;

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>metadata.deletionTimestamp is set.</summary>
    public bool IsBeingDeleted { get; init; }

    /// <summary>Tainted ToBeDeletedByClusterAutoscaler (KEP-3836: the load balancer should drain this node).</summary>
    public bool IsToBeDeletedByClusterAutoscaler { get; init; }

    public string? Zone => Labels.TryGetValue(ZoneLabel, out var zone) ? zone : null;

    public bool Equals(Node? other) =>
        other is not null && Name == other.Name && Addresses == other.Addresses && PodCIDRs == other.PodCIDRs &&
        IsBeingDeleted == other.IsBeingDeleted && IsToBeDeletedByClusterAutoscaler == other.IsToBeDeletedByClusterAutoscaler &&
        Labels.SequenceEqual(other.Labels);

    public override int GetHashCode() => HashCode.Combine(Name, Addresses, PodCIDRs);
}
