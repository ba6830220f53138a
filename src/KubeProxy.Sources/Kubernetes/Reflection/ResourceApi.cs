using k8s;
using k8s.Models;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>An <see cref="IResourceApi{T}"/> over two KubernetesClient calls (a typed list and a typed watch).</summary>
internal sealed class ResourceApi<T, TList>(
    Func<ListRequest, CancellationToken, Task<TList>> list,
    Func<WatchRequest, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch) : IResourceApi<T>
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    public async Task<ListPage<T>> ListAsync(ListRequest request, CancellationToken cancellationToken)
    {
        var result = await list(request, cancellationToken).ConfigureAwait(false);
        var next = result.Metadata?.ContinueProperty;
        return new ListPage<T>(result.Items is { } items ? [.. items] : [], result.Metadata?.ResourceVersion,
            string.IsNullOrEmpty(next) ? null : next);
    }

    public IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(WatchRequest request, Action<Exception> onError,
        CancellationToken cancellationToken) => watch(request, onError, cancellationToken);
}
