using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>Wraps whatever a listener throws in a <see cref="ListenerException"/>, so the reflector never retries it.</summary>
internal sealed class GuardedListener<TModel>(string resource, IReflectorListener<TModel> inner) : IReflectorListener<TModel>
{
    public void OnUpsert(ObjectName key, TModel model) => Guard(() => inner.OnUpsert(key, model));

    public void OnDelete(ObjectName key) => Guard(() => inner.OnDelete(key));

    public void OnBatchEnd() => Guard(inner.OnBatchEnd);

    public void OnSynced() => Guard(inner.OnSynced);

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            throw new ListenerException(resource, e);
        }
    }
}
