using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Tracking;

/// <summary>
/// Builds the per-family <see cref="ServicePortInfo"/>s of a Service (upstream newBaseServiceInfo plus
/// ShouldSkipService): nothing for ExternalName, headless or ClusterIP-less Services, nothing for a family the
/// Service has no ClusterIP in.
/// </summary>
public static class ServicePortInfoFactory
{
    /// <summary>Why a Service gets no rules in a family, or null when it does.</summary>
    public static string? SkipReason(Service service, IPFamily family)
    {
        if (service.Type == ServiceType.ExternalName) return "type ExternalName";
        if (service.IsHeadless) return "headless (clusterIP None)";
        if (service.ClusterIPs.IsEmpty) return "no ClusterIP";
        if (service.Labels.ContainsKey(ProxyLabels.ServiceProxyName)) return "handled by another service proxy";
        foreach (var ip in service.ClusterIPs)
        {
            if (ip.Family() == family) return null;
        }
        return $"no {family.Label()} ClusterIP";
    }

    public static IReadOnlyList<ServicePortInfo> Create(Service service, IPFamily family)
    {
        if (SkipReason(service, family) is not null) return [];
        var clusterIP = service.ClusterIPs.First(ip => ip.Family() == family);

        var externallyAccessible = service.Type is ServiceType.NodePort or ServiceType.LoadBalancer ||
            (service.Type == ServiceType.ClusterIP && !service.ExternalIPs.IsEmpty);
        var etp = externallyAccessible ? service.ExternalTrafficPolicy : TrafficPolicy.Cluster;

        var externalIPs = service.ExternalIPs.Where(ip => ip.Family() == family).ToEquatableArray();
        // ipMode Proxy means the load balancer itself proxies: the node must not capture that address.
        var vips = service.LoadBalancerIngress
            .Where(i => i.IPMode == LoadBalancerIPMode.VIP && i.IP.Family() == family)
            .Select(i => i.IP)
            .ToEquatableArray();
        var ranges = service.LoadBalancerSourceRanges.Where(r => r.Family() == family).ToEquatableArray();
        var healthCheckNodePort = service.Type == ServiceType.LoadBalancer && service.ExternalTrafficPolicy == TrafficPolicy.Local
            ? service.HealthCheckNodePort
            : 0;

        var result = new List<ServicePortInfo>(service.Ports.Count);
        foreach (var port in service.Ports)
        {
            result.Add(new ServicePortInfo
            {
                Name = new ServicePortName(service.Name, port.Name, port.Protocol),
                ClusterIP = clusterIP,
                Port = port.Port,
                NodePort = port.NodePort,
                SessionAffinity = service.SessionAffinity,
                StickyMaxAgeSeconds = service.SessionAffinity == SessionAffinity.ClientIP ? service.AffinityTimeoutSeconds : 0,
                ExternalIPs = externalIPs,
                LoadBalancerVIPs = vips,
                LoadBalancerSourceRanges = ranges,
                ExternalTrafficPolicy = etp,
                InternalTrafficPolicy = service.InternalTrafficPolicy,
                HealthCheckNodePort = healthCheckNodePort,
            });
        }
        return result;
    }
}
