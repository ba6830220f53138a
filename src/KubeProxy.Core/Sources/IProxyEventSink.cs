using KubeProxy.Core.Model;

namespace KubeProxy.Core.Sources;

/// <summary>
/// What a source (the Kubernetes API, a manifest directory, a test) tells the proxy. Sources only translate the
/// outside world into typed objects; every decision is taken behind this interface. Calls may come from any thread.
/// Upserts carry the full current object; the receiver works out what changed.
/// </summary>
public interface IProxyEventSink
{
    void OnServiceUpsert(Service service);

    void OnServiceDelete(ObjectName name);

    void OnEndpointSliceUpsert(EndpointSlice slice);

    void OnEndpointSliceDelete(ObjectName name);

    void OnNodeUpsert(Node node);

    void OnNodeDelete(string name);

    /// <summary>The complete current set of ServiceCIDRs (they are few; replacing the set is simpler than diffs).</summary>
    void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs);

    /// <summary>The first complete list of Services has been delivered. Nothing is programmed before this and
    /// <see cref="OnEndpointSlicesSynced"/>.</summary>
    void OnServicesSynced();

    void OnEndpointSlicesSynced();
}
