namespace KubeProxy.Bench.Generation;

/// <summary>
/// How a synthetic cluster looks: N Services × M endpoints and the share of each kind. The defaults are a plausible
/// production mix (mostly ClusterIP; some NodePort and LoadBalancer, a few with ClientIP affinity or Local policies,
/// a dual-stack minority). NodePorts come from the real 30000-32767 range, so at most <see cref="MaxNodePorts"/>
/// Services get one; the rest stay ClusterIP, as in a real cluster that ran out of NodePorts.
/// </summary>
internal sealed record ClusterShape(int Services, int EndpointsPerService)
{
    public const int MaxNodePorts = 2700;

    public double NodePortShare { get; init; } = 0.10;

    public double LoadBalancerShare { get; init; } = 0.05;

    public double AffinityShare { get; init; } = 0.10;

    /// <summary>Of NodePort/LoadBalancer Services: externalTrafficPolicy Local.</summary>
    public double ExternalLocalShare { get; init; } = 0.30;

    public double InternalLocalShare { get; init; } = 0.05;

    public double DualStackShare { get; init; } = 0.10;

    public double UdpShare { get; init; } = 0.05;

    /// <summary>Services with a second port (80 and 443).</summary>
    public double TwoPortShare { get; init; } = 0.15;

    /// <summary>Endpoints are spread over this many nodes; the proxy runs on node-1.</summary>
    public int Nodes { get; init; } = 20;

    public override string ToString() => $"{Services}x{EndpointsPerService}";
}
