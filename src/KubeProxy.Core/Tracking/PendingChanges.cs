using KubeProxy.Core.Model;

namespace KubeProxy.Core.Tracking;

/// <summary>What one IP family has not yet turned into a snapshot.</summary>
public sealed class PendingChanges
{
    private readonly HashSet<ObjectName> _services = [];
    private readonly HashSet<ObjectName> _endpoints = [];
    private readonly Dictionary<ObjectName, DateTimeOffset> _triggerTimes = [];

    public bool NodeChanged { get; set; }

    public int ServiceCount => _services.Count;

    public int EndpointCount => _endpoints.Count;

    public bool IsEmpty => _services.Count == 0 && _endpoints.Count == 0 && !NodeChanged;

    public IReadOnlySet<ObjectName> Services => _services;

    public IReadOnlySet<ObjectName> Endpoints => _endpoints;

    public IReadOnlyDictionary<ObjectName, DateTimeOffset> TriggerTimes => _triggerTimes;

    public void MarkService(ObjectName name) => _services.Add(name);

    public void MarkEndpoints(ObjectName service, DateTimeOffset? trigger)
    {
        _endpoints.Add(service);
        // The oldest pending trigger is what the programming-latency metric measures from.
        if (trigger is { } t && (!_triggerTimes.TryGetValue(service, out var old) || t < old))
        {
            _triggerTimes[service] = t;
        }
    }

    public void Clear()
    {
        // Clearing keeps a set's capacity: after the first sync that would be every Service's slot, for good.
        var large = _services.Count + _endpoints.Count > TrimAbove;
        _services.Clear();
        _endpoints.Clear();
        _triggerTimes.Clear();
        if (large)
        {
            _services.TrimExcess();
            _endpoints.TrimExcess();
            _triggerTimes.TrimExcess();
        }
        NodeChanged = false;
    }

    private const int TrimAbove = 1024;
}
