using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>Where a reflector delivers the differences it finds. Calls come from the reflector's loop, one at a time.</summary>
internal interface IReflectorListener<in TModel>
{
    void OnUpsert(ObjectName key, TModel model);

    void OnDelete(ObjectName key);

    /// <summary>The end of one batch of changes (one watch event, or a whole relist).</summary>
    void OnBatchEnd();

    /// <summary>The first complete list has been delivered. Called once.</summary>
    void OnSynced();
}
