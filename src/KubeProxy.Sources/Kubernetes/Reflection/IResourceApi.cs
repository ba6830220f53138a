using k8s;
using k8s.Models;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>One page of a list request.</summary>
internal sealed record ListRequest(
    string? LabelSelector,
    string? FieldSelector,
    int Limit,
    string? Continue,
    string? ResourceVersion,
    string? ResourceVersionMatch);

/// <summary>A watch from <see cref="ResourceVersion"/>; the server ends it cleanly after <see cref="TimeoutSeconds"/>.</summary>
internal sealed record WatchRequest(string? LabelSelector, string? FieldSelector, string ResourceVersion, int TimeoutSeconds);

/// <summary>The items of one page, the list's resourceVersion and the continue token (null on the last page).</summary>
internal sealed record ListPage<T>(IReadOnlyList<T> Items, string? ResourceVersion, string? Continue);

/// <summary>
/// List and watch of one resource, all namespaces. The reflector talks to this, not to KubernetesClient, so that
/// it can be driven by a fake in unit tests; the real implementation is <see cref="ResourceApi{T, TList}"/>.
/// </summary>
internal interface IResourceApi<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    Task<ListPage<T>> ListAsync(ListRequest request, CancellationToken cancellationToken);

    /// <summary>Status objects in the stream (ERROR events) and undecodable lines arrive at <paramref name="onError"/>;
    /// transport failures are thrown by the enumeration.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(WatchRequest request, Action<Exception> onError, CancellationToken cancellationToken);
}
