using k8s;
using k8s.Models;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>
/// The four resources kube-proxy watches, bound to KubernetesClient's typed, non-obsolete list and watch calls
/// (always with allowWatchBookmarks, so idle watches still advance their resourceVersion).
/// </summary>
internal static class KubernetesResourceApis
{
    public static IResourceApi<V1Service> Services(IKubernetes client) => new ResourceApi<V1Service, V1ServiceList>(
        (r, ct) => client.CoreV1.ListServiceForAllNamespacesAsync(
            continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector, limit: r.Limit > 0 ? r.Limit : null,
            resourceVersion: r.ResourceVersion, resourceVersionMatch: r.ResourceVersionMatch, cancellationToken: ct),
        (r, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(
            allowWatchBookmarks: true, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
            resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, onError: onError, cancellationToken: ct));

    public static IResourceApi<V1EndpointSlice> EndpointSlices(IKubernetes client) => new ResourceApi<V1EndpointSlice, V1EndpointSliceList>(
        (r, ct) => client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(
            continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector, limit: r.Limit > 0 ? r.Limit : null,
            resourceVersion: r.ResourceVersion, resourceVersionMatch: r.ResourceVersionMatch, cancellationToken: ct),
        (r, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(
            allowWatchBookmarks: true, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
            resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, onError: onError, cancellationToken: ct));

    public static IResourceApi<V1Node> Nodes(IKubernetes client) => new ResourceApi<V1Node, V1NodeList>(
        (r, ct) => client.CoreV1.ListNodeAsync(
            continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector, limit: r.Limit > 0 ? r.Limit : null,
            resourceVersion: r.ResourceVersion, resourceVersionMatch: r.ResourceVersionMatch, cancellationToken: ct),
        (r, onError, ct) => client.CoreV1.WatchListNodeAsync(
            allowWatchBookmarks: true, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
            resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, onError: onError, cancellationToken: ct));

    public static IResourceApi<V1ServiceCIDR> ServiceCidrs(IKubernetes client) => new ResourceApi<V1ServiceCIDR, V1ServiceCIDRList>(
        (r, ct) => client.NetworkingV1.ListServiceCIDRAsync(
            continueParameter: r.Continue, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector, limit: r.Limit > 0 ? r.Limit : null,
            resourceVersion: r.ResourceVersion, resourceVersionMatch: r.ResourceVersionMatch, cancellationToken: ct),
        (r, onError, ct) => client.NetworkingV1.WatchListServiceCIDRAsync(
            allowWatchBookmarks: true, fieldSelector: r.FieldSelector, labelSelector: r.LabelSelector,
            resourceVersion: r.ResourceVersion, timeoutSeconds: r.TimeoutSeconds, onError: onError, cancellationToken: ct));
}
