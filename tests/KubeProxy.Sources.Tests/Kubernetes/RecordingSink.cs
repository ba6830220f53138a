using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>One call the source made on the sink, e.g. ("ServiceDelete", "default/web").</summary>
internal sealed record SinkCall(string Kind, string Name)
{
    public override string ToString() => Kind + " " + Name;
}

/// <summary>A sink that records every call and keeps the state those calls describe.</summary>
internal sealed class RecordingSink : IProxyEventSink
{
    private readonly Lock _gate = new();
    private readonly List<SinkCall> _calls = [];
    private readonly Dictionary<ObjectName, Service> _services = [];
    private readonly Dictionary<ObjectName, EndpointSlice> _slices = [];
    private Node? _node;
    private IReadOnlyList<ServiceCidr>? _cidrs;
    private int _servicesSynced;
    private int _slicesSynced;

    public int ServicesSynced
    {
        get { lock (_gate) return _servicesSynced; }
    }

    public int EndpointSlicesSynced
    {
        get { lock (_gate) return _slicesSynced; }
    }

    public Node? Node
    {
        get { lock (_gate) return _node; }
    }

    /// <summary>The last ServiceCIDR set delivered; null before the first.</summary>
    public IReadOnlyList<ServiceCidr>? ServiceCidrs
    {
        get { lock (_gate) return _cidrs; }
    }

    public Dictionary<ObjectName, Service> Services
    {
        get { lock (_gate) return new(_services); }
    }

    public Dictionary<ObjectName, EndpointSlice> EndpointSlices
    {
        get { lock (_gate) return new(_slices); }
    }

    public IReadOnlyList<SinkCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    /// <summary>A position in the call log, to read what came after it with <see cref="CallsSince"/>.</summary>
    public int Mark()
    {
        lock (_gate) return _calls.Count;
    }

    public IReadOnlyList<SinkCall> CallsSince(int mark)
    {
        lock (_gate) return [.. _calls.Skip(mark)];
    }

    public int Deletes(int mark = 0)
    {
        lock (_gate) return _calls.Skip(mark).Count(c => c.Kind.EndsWith("Delete", StringComparison.Ordinal));
    }

    public void OnServiceUpsert(Service service) => Record("ServiceUpsert", service.Name.ToString(), () => _services[service.Name] = service);

    public void OnServiceDelete(ObjectName name) => Record("ServiceDelete", name.ToString(), () => _services.Remove(name));

    public void OnEndpointSliceUpsert(EndpointSlice slice) => Record("EndpointSliceUpsert", slice.Name.ToString(), () => _slices[slice.Name] = slice);

    public void OnEndpointSliceDelete(ObjectName name) => Record("EndpointSliceDelete", name.ToString(), () => _slices.Remove(name));

    public void OnNodeUpsert(Node node) => Record("NodeUpsert", node.Name, () => _node = node);

    public void OnNodeDelete(string name) => Record("NodeDelete", name, () => _node = null);

    public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs) =>
        Record("ServiceCidrsChanged", string.Join(",", cidrs.Select(c => c.Name)), () => _cidrs = cidrs);

    public void OnServicesSynced() => Record("ServicesSynced", "", () => _servicesSynced++);

    public void OnEndpointSlicesSynced() => Record("EndpointSlicesSynced", "", () => _slicesSynced++);

    private void Record(string kind, string name, Action apply)
    {
        lock (_gate)
        {
            _calls.Add(new SinkCall(kind, name));
            apply();
        }
    }
}
