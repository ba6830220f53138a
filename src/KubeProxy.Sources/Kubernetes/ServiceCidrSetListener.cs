using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;
using KubeProxy.Sources.Kubernetes.Reflection;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// ServiceCIDRs go to the sink as a whole set (they are few): the set is sent after each batch that changed it, and
/// once after the first list even when empty, so the receiver knows the set is known.
/// </summary>
internal sealed class ServiceCidrSetListener(IProxyEventSink sink) : IReflectorListener<ServiceCidr>
{
    private readonly SortedDictionary<string, ServiceCidr> _cidrs = new(StringComparer.Ordinal);
    private bool _dirty;
    private bool _synced;

    public void OnUpsert(ObjectName key, ServiceCidr model)
    {
        _cidrs[key.Name] = model;
        _dirty = true;
    }

    public void OnDelete(ObjectName key) => _dirty |= _cidrs.Remove(key.Name);

    public void OnBatchEnd()
    {
        if (!_dirty || !_synced) return;
        _dirty = false;
        sink.OnServiceCidrsChanged([.. _cidrs.Values]);
    }

    public void OnSynced()
    {
        _synced = true;
        _dirty = false;
        sink.OnServiceCidrsChanged([.. _cidrs.Values]);
    }
}
