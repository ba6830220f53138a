using KubeProxy.ApiServer.Resources;

namespace KubeProxy.ApiServer.Storage;

/// <summary>
/// Everything the fake server stores, behind one lock. The resourceVersion is one counter for all resources, like an
/// etcd revision, so a bookmark on one resource can carry a version that changes on another advanced.
/// </summary>
internal sealed class ClusterState
{
    public ClusterState(int historyLimit, long initialResourceVersion)
    {
        ResourceVersion = initialResourceVersion;
        foreach (var kind in ResourceKind.All)
        {
            var state = new ResourceState(kind, historyLimit);
            state.Compact(initialResourceVersion);
            Resources[kind] = state;
        }
    }

    public Lock Gate { get; } = new();

    public long ResourceVersion { get; set; }

    public Dictionary<ResourceKind, ResourceState> Resources { get; } = [];

    public ResourceState this[ResourceKind kind] => Resources[kind];
}
