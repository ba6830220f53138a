using KubeProxy.Core.Model;

namespace KubeProxy.Core.Tracking;

/// <summary>
/// The proxy's copy of the cluster objects it cares about, plus, per IP family, the Services touched since that
/// family's last snapshot. Updates that change nothing are dropped here, so a resync or a relist costs nothing
/// downstream. Not thread-safe: <see cref="ProxyEngine"/> serialises access.
/// </summary>
public sealed class ClusterState
{
    private readonly Dictionary<ObjectName, Service> _services = [];
    /// <summary>A Service's slices, copied on write. Most Services have one slice; a dictionary each cost ten times the
    /// array (3 MiB at 10,000 Services), and a Service with hundreds of slices is rewritten rarely.</summary>
    private readonly Dictionary<ObjectName, EndpointSlice[]> _slicesByService = [];
    private readonly Dictionary<ObjectName, EndpointSlice> _slices = [];
    private readonly Dictionary<IPFamily, PendingChanges> _pending;

    public ClusterState(IEnumerable<IPFamily> families)
    {
        _pending = families.ToDictionary(f => f, _ => new PendingChanges());
    }

    public IReadOnlyCollection<IPFamily> Families => _pending.Keys;

    public Node? Node { get; private set; }

    public IReadOnlyList<ServiceCidr> ServiceCidrs { get; private set; } = [];

    public int ServiceCount => _services.Count;

    public int EndpointSliceCount => _slices.Count;

    public PendingChanges PendingFor(IPFamily family) => _pending[family];

    public Service? GetService(ObjectName name) => _services.GetValueOrDefault(name);

    public IEnumerable<Service> Services => _services.Values;

    public EndpointSlice? GetEndpointSlice(ObjectName name) => _slices.GetValueOrDefault(name);

    public IEnumerable<EndpointSlice> SlicesOf(ObjectName service) =>
        _slicesByService.TryGetValue(service, out var slices) ? slices : [];

    /// <summary>Returns false when the update changes nothing.</summary>
    public bool UpsertService(Service service)
    {
        if (_services.TryGetValue(service.Name, out var old) && old.Equals(service)) return false;
        _services[service.Name] = service;
        foreach (var p in _pending.Values) p.MarkService(service.Name);
        return true;
    }

    public bool DeleteService(ObjectName name)
    {
        if (!_services.Remove(name)) return false;
        foreach (var p in _pending.Values) p.MarkService(name);
        return true;
    }

    public bool UpsertEndpointSlice(EndpointSlice slice)
    {
        if (_slices.TryGetValue(slice.Name, out var old))
        {
            if (old.Equals(slice)) return false;
            // Same Service: replace in place, so that the slices keep their order (the merge keeps the first copy of
            // an endpoint two slices list).
            if (old.Service == slice.Service && _slicesByService.TryGetValue(slice.Service, out var current))
            {
                _slices[slice.Name] = slice;
                _slicesByService[slice.Service] = [.. current.Select(s => s.Name == slice.Name ? slice : s)];
                MarkEndpoints(slice.Service, old.AddressType, null);
                MarkEndpoints(slice.Service, slice.AddressType, slice.LastChangeTriggerTime);
                return true;
            }
            RemoveSlice(old);
        }

        _slices[slice.Name] = slice;
        _slicesByService[slice.Service] = _slicesByService.TryGetValue(slice.Service, out var slices) ? [.. slices, slice] : [slice];
        MarkEndpoints(slice.Service, slice.AddressType, slice.LastChangeTriggerTime);
        return true;
    }

    public bool DeleteEndpointSlice(ObjectName name)
    {
        if (!_slices.TryGetValue(name, out var old)) return false;
        RemoveSlice(old);
        return true;
    }

    /// <summary>Returns true when anything a data plane renders from the node changed.</summary>
    public bool SetNode(Node? node)
    {
        if (Equals(Node, node)) return false;
        Node = node;
        foreach (var p in _pending.Values) p.NodeChanged = true;
        return true;
    }

    public bool SetServiceCidrs(IReadOnlyList<ServiceCidr> cidrs)
    {
        if (ServiceCidrs.SequenceEqual(cidrs)) return false;
        ServiceCidrs = cidrs;
        foreach (var p in _pending.Values) p.NodeChanged = true;
        return true;
    }

    private void RemoveSlice(EndpointSlice slice)
    {
        _slices.Remove(slice.Name);
        if (_slicesByService.TryGetValue(slice.Service, out var slices))
        {
            var rest = Array.FindAll(slices, s => s.Name != slice.Name);
            if (rest.Length == 0) _slicesByService.Remove(slice.Service);
            else _slicesByService[slice.Service] = rest;
        }
        MarkEndpoints(slice.Service, slice.AddressType, null);
    }

    private void MarkEndpoints(ObjectName service, IPFamily family, DateTimeOffset? trigger)
    {
        if (_pending.TryGetValue(family, out var p)) p.MarkEndpoints(service, trigger);
    }
}
