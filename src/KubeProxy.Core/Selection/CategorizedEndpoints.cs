using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Selection;

/// <summary>The endpoint sets of one Service port. See <see cref="EndpointCategorizer"/>.</summary>
public readonly record struct CategorizedEndpoints(
    EquatableArray<EndpointInfo> Cluster,
    EquatableArray<EndpointInfo> Local,
    EquatableArray<EndpointInfo> AllReachable,
    bool HasAnyEndpoints,
    TopologyMode TopologyMode);
