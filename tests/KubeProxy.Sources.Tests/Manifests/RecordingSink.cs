using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;

namespace KubeProxy.Sources.Tests.Manifests;

/// <summary>An <see cref="IProxyEventSink"/> that records every call, in order, for assertions.</summary>
internal sealed class RecordingSink : IProxyEventSink
{
    private readonly object _lock = new();
    private readonly List<string> _calls = [];
    private readonly Dictionary<ObjectName, Service> _services = [];
    private readonly Dictionary<ObjectName, EndpointSlice> _slices = [];

    public Node? Node { get; private set; }

    public IReadOnlyList<ServiceCidr>? Cidrs { get; private set; }

    public int ServicesSyncedCount { get; private set; }

    public int SlicesSyncedCount { get; private set; }

    public int CidrCallCount { get; private set; }

    public List<string> Calls
    {
        get { lock (_lock) return [.. _calls]; }
    }

    public Dictionary<ObjectName, Service> Services
    {
        get { lock (_lock) return new(_services); }
    }

    public Dictionary<ObjectName, EndpointSlice> Slices
    {
        get { lock (_lock) return new(_slices); }
    }

    public bool Synced
    {
        get { lock (_lock) return ServicesSyncedCount > 0 && SlicesSyncedCount > 0; }
    }

    public void OnServiceUpsert(Service service) => Record($"+Service {service.Name}", () => _services[service.Name] = service);

    public void OnServiceDelete(ObjectName name) => Record($"-Service {name}", () => _services.Remove(name));

    public void OnEndpointSliceUpsert(EndpointSlice slice) => Record($"+EndpointSlice {slice.Name}", () => _slices[slice.Name] = slice);

    public void OnEndpointSliceDelete(ObjectName name) => Record($"-EndpointSlice {name}", () => _slices.Remove(name));

    public void OnNodeUpsert(Node node) => Record($"+Node {node.Name}", () => Node = node);

    public void OnNodeDelete(string name) => Record($"-Node {name}", () => Node = null);

    public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs) => Record(
        $"ServiceCIDRs [{string.Join(", ", cidrs.Select(c => c.Name))}]",
        () =>
        {
            Cidrs = cidrs;
            CidrCallCount++;
        });

    public void OnServicesSynced() => Record("ServicesSynced", () => ServicesSyncedCount++);

    public void OnEndpointSlicesSynced() => Record("EndpointSlicesSynced", () => SlicesSyncedCount++);

    private void Record(string call, Action apply)
    {
        lock (_lock)
        {
            _calls.Add(call);
            apply();
        }
    }
}
