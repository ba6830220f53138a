namespace KubeProxy.Core.Model;

public enum ServiceType
{
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalName,
}

public enum TrafficPolicy
{
    Cluster,
    Local,
}

public enum SessionAffinity
{
    None,
    ClientIP,
}

/// <summary>How a LoadBalancer ingress IP reaches the node (KEP-1860). Only VIP gets rules.</summary>
public enum LoadBalancerIPMode
{
    VIP,
    Proxy,
}
