using System.Collections.Immutable;
using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Core.Snapshot;

/// <summary>This node as one family's pipeline sees it.</summary>
public sealed record NodeView
{
    public required string Name { get; init; }

    /// <summary>Node IPs of this family, primary first.</summary>
    public EquatableArray<IPAddress> IPs { get; init; } = EquatableArray<IPAddress>.Empty;

    public EquatableArray<IPNetwork> PodCIDRs { get; init; } = EquatableArray<IPNetwork>.Empty;

    public string? Zone { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Whether a Node object has been seen at all.</summary>
    public bool Exists { get; init; }

    public IPAddress? PrimaryIP => IPs.Count > 0 ? IPs[0] : null;

    public bool Equals(NodeView? other) =>
        other is not null && Name == other.Name && IPs == other.IPs && PodCIDRs == other.PodCIDRs && Zone == other.Zone &&
        Exists == other.Exists && Labels.SequenceEqual(other.Labels);

    public override int GetHashCode() => HashCode.Combine(Name, IPs, Zone);
}
