using System.Collections.Immutable;
using System.Net;

namespace KubeProxy.Core.Model;

/// <summary>
/// A validated, typed view of a v1 Service: only what kube-proxy needs, already parsed. Sources build it; nothing
/// downstream ever sees the raw API object. Headless and ExternalName Services are represented so that trackers can
/// skip them the way upstream does (<c>ShouldSkipService</c>).
/// </summary>
public sealed record Service
{
    public required ObjectName Name { get; init; }

    public ServiceType Type { get; init; } = ServiceType.ClusterIP;

    /// <summary>The allocated ClusterIPs (both families on a dual-stack Service). Empty for headless Services.</summary>
    public EquatableArray<IPAddress> ClusterIPs { get; init; } = EquatableArray<IPAddress>.Empty;

    /// <summary><c>clusterIP: None</c>.</summary>
    public bool IsHeadless { get; init; }

    public EquatableArray<ServicePort> Ports { get; init; } = EquatableArray<ServicePort>.Empty;

    public EquatableArray<IPAddress> ExternalIPs { get; init; } = EquatableArray<IPAddress>.Empty;

    public EquatableArray<LoadBalancerIngress> LoadBalancerIngress { get; init; } = EquatableArray<LoadBalancerIngress>.Empty;

    /// <summary>Already trimmed and parsed; both families.</summary>
    public EquatableArray<IPNetwork> LoadBalancerSourceRanges { get; init; } = EquatableArray<IPNetwork>.Empty;

    public TrafficPolicy ExternalTrafficPolicy { get; init; } = TrafficPolicy.Cluster;

    public TrafficPolicy InternalTrafficPolicy { get; init; } = TrafficPolicy.Cluster;

    /// <summary>0 when not allocated.</summary>
    public int HealthCheckNodePort { get; init; }

    public SessionAffinity SessionAffinity { get; init; } = SessionAffinity.None;

    /// <summary>ClientIP affinity timeout; the API default is 10800 s.</summary>
    public int AffinityTimeoutSeconds { get; init; } = 10800;

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Where the object came from (a manifest file, "api"), for log lines only.</summary>
    public string Origin { get; init; } = "";

    /// <summary>Structural equality that also compares <see cref="Labels"/> by content.</summary>
    public bool Equals(Service? other) =>
        other is not null &&
        Name == other.Name && Type == other.Type && ClusterIPs == other.ClusterIPs && IsHeadless == other.IsHeadless &&
        Ports == other.Ports && ExternalIPs == other.ExternalIPs && LoadBalancerIngress == other.LoadBalancerIngress &&
        LoadBalancerSourceRanges == other.LoadBalancerSourceRanges &&
        ExternalTrafficPolicy == other.ExternalTrafficPolicy && InternalTrafficPolicy == other.InternalTrafficPolicy &&
        HealthCheckNodePort == other.HealthCheckNodePort && SessionAffinity == other.SessionAffinity &&
        AffinityTimeoutSeconds == other.AffinityTimeoutSeconds && Labels.SequenceEqual(other.Labels);

    public override int GetHashCode() => HashCode.Combine(Name, Type, ClusterIPs, Ports);
}

/// <summary>One entry of <c>spec.ports</c>. NodePort is 0 when none is allocated.</summary>
public sealed record ServicePort(string Name, Protocol Protocol, int Port, int NodePort = 0);

/// <summary>One entry of <c>status.loadBalancer.ingress</c> that has an IP (hostname-only entries are dropped at the source).</summary>
public sealed record LoadBalancerIngress(IPAddress IP, LoadBalancerIPMode IPMode = LoadBalancerIPMode.VIP);
