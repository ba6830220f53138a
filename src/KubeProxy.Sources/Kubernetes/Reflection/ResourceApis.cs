using k8s;
using k8s.Models;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>The list/watch endpoints of the four resources the API source follows.</summary>
internal sealed record ResourceApis(
    IResourceApi<V1Service> Services,
    IResourceApi<V1EndpointSlice> EndpointSlices,
    IResourceApi<V1Node> Nodes,
    IResourceApi<V1ServiceCIDR> ServiceCidrs)
{
    public static ResourceApis For(IKubernetes client) => new(
        KubernetesResourceApis.Services(client),
        KubernetesResourceApis.EndpointSlices(client),
        KubernetesResourceApis.Nodes(client),
        KubernetesResourceApis.ServiceCidrs(client));
}
