using KubeProxy.Core.Model;

namespace KubeProxy.Core.Snapshot;

/// <summary>
/// A Service port with its endpoints and the sets every data plane must use (upstream CategorizeEndpoints, done
/// once here so the modes agree). <see cref="ClusterEndpoints"/> is empty when the port does not use cluster
/// endpoints, <see cref="LocalEndpoints"/> likewise; <see cref="AllReachable"/> is their union, in key order.
/// </summary>
public sealed record ServicePortState(
    ServicePortInfo Info,
    EquatableArray<EndpointInfo> AllEndpoints,
    EquatableArray<EndpointInfo> ClusterEndpoints,
    EquatableArray<EndpointInfo> LocalEndpoints,
    EquatableArray<EndpointInfo> AllReachable,
    bool HasAnyEndpoints)
{
    public ServicePortName Name => Info.Name;

    /// <summary>Local ready endpoints: what the health-check node port reports.</summary>
    public int LocalReadyCount
    {
        get
        {
            var n = 0;
            foreach (var ep in AllEndpoints)
            {
                if (ep.IsLocal && ep.Ready) n++;
            }
            return n;
        }
    }
}
