using KubeProxy.Core.Model;
using KubeProxy.Sources.Kubernetes.Reflection;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>Forwards a reflector's differences for one object type straight to the proxy's event sink.</summary>
internal sealed class SinkListener<TModel>(Action<TModel> upsert, Action<ObjectName> delete, Action? synced = null)
    : IReflectorListener<TModel>
{
    public void OnUpsert(ObjectName key, TModel model) => upsert(model);

    public void OnDelete(ObjectName key) => delete(key);

    public void OnBatchEnd()
    {
    }

    public void OnSynced() => synced?.Invoke();
}
