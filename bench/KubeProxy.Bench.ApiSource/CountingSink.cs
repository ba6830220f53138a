using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;

namespace KubeProxy.Bench.ApiSource;

/// <summary>Counts what the source delivers and keeps nothing, so the measured memory is the source's own.</summary>
internal sealed class CountingSink : IProxyEventSink
{
    private long _serviceUpserts;
    private long _sliceUpserts;
    private int _synced;

    public long ServiceUpserts => Interlocked.Read(ref _serviceUpserts);

    public long SliceUpserts => Interlocked.Read(ref _sliceUpserts);

    public bool Synced => Volatile.Read(ref _synced) == 2;

    public void OnServiceUpsert(Service service) => Interlocked.Increment(ref _serviceUpserts);

    public void OnServiceDelete(ObjectName name)
    {
    }

    public void OnEndpointSliceUpsert(EndpointSlice slice) => Interlocked.Increment(ref _sliceUpserts);

    public void OnEndpointSliceDelete(ObjectName name)
    {
    }

    public void OnNodeUpsert(Node node)
    {
    }

    public void OnNodeDelete(string name)
    {
    }

    public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs)
    {
    }

    public void OnServicesSynced() => Interlocked.Increment(ref _synced);

    public void OnEndpointSlicesSynced() => Interlocked.Increment(ref _synced);
}
