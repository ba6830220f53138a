using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Core.Snapshot;

/// <summary>
/// One Service port as one IP family's data plane sees it (upstream BaseServicePortInfo): addresses already
/// filtered to the family, LoadBalancer IPs limited to ipMode VIP, the health-check port only when needed.
/// </summary>
public sealed record ServicePortInfo
{
    public required ServicePortName Name { get; init; }

    public required IPAddress ClusterIP { get; init; }

    public required int Port { get; init; }

    public Protocol Protocol => Name.Protocol;

    public int NodePort { get; init; }

    public SessionAffinity SessionAffinity { get; init; }

    public int StickyMaxAgeSeconds { get; init; }

    public EquatableArray<IPAddress> ExternalIPs { get; init; } = EquatableArray<IPAddress>.Empty;

    /// <summary>VIP-mode LoadBalancer ingress IPs of this family.</summary>
    public EquatableArray<IPAddress> LoadBalancerVIPs { get; init; } = EquatableArray<IPAddress>.Empty;

    /// <summary>loadBalancerSourceRanges of this family.</summary>
    public EquatableArray<IPNetwork> LoadBalancerSourceRanges { get; init; } = EquatableArray<IPNetwork>.Empty;

    public TrafficPolicy ExternalTrafficPolicy { get; init; }

    public TrafficPolicy InternalTrafficPolicy { get; init; }

    /// <summary>Non-zero only for LoadBalancer Services with externalTrafficPolicy Local.</summary>
    public int HealthCheckNodePort { get; init; }

    public bool ExternallyAccessible => NodePort != 0 || LoadBalancerVIPs.Count > 0 || ExternalIPs.Count > 0;

    public bool ExternalPolicyLocal => ExternalTrafficPolicy == TrafficPolicy.Local && ExternallyAccessible;

    public bool InternalPolicyLocal => InternalTrafficPolicy == TrafficPolicy.Local;

    // Cluster endpoints are needed even with externalTrafficPolicy Local: pod and host traffic short-circuits to them.
    public bool UsesClusterEndpoints => !InternalPolicyLocal || ExternallyAccessible;

    public bool UsesLocalEndpoints => InternalPolicyLocal || ExternalPolicyLocal;

    public bool HasSourceRanges => LoadBalancerSourceRanges.Count > 0;
}
