using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Lab.Cluster;

/// <summary>
/// Hands out what the API server's allocators would (ClusterIPs, NodePorts, health-check node ports) plus
/// LoadBalancer and external IPs, never the same twice in one cluster, so tests sharing a cluster never collide.
/// Numbers start above what examples/cluster uses.
/// </summary>
public sealed class ClusterAllocator
{
    private int _clusterIP = 100;
    private int _loadBalancerIP = 100;
    private int _externalIP = 100;
    private int _nodePort = 30100;
    private int _healthCheckNodePort = 32100;

    /// <summary>A ClusterIP number: <see cref="ClusterIP(int, IPFamily)"/> gives its address in either family.</summary>
    public int NextClusterIP() => Interlocked.Increment(ref _clusterIP);

    public int NextLoadBalancerIP() => Interlocked.Increment(ref _loadBalancerIP);

    public int NextExternalIP() => Interlocked.Increment(ref _externalIP);

    public int NextNodePort() => Interlocked.Increment(ref _nodePort);

    public int NextHealthCheckNodePort() => Interlocked.Increment(ref _healthCheckNodePort);

    public static IPAddress ClusterIP(int n, IPFamily family) =>
        family == IPFamily.IPv6 ? LabAddresses.ClusterIPV6(n) : LabAddresses.ClusterIPV4(n);

    public static IPAddress LoadBalancerIP(int n, IPFamily family) =>
        family == IPFamily.IPv6 ? LabAddresses.LoadBalancerIPV6(n) : LabAddresses.LoadBalancerIPV4(n);

    public static IPAddress ExternalIP(int n, IPFamily family) =>
        family == IPFamily.IPv6 ? LabAddresses.ExternalIPV6(n) : LabAddresses.ExternalIPV4(n);
}
