using KubeProxy.Core.Model;

namespace KubeProxy.Core.Health;

/// <summary>
/// Whether the proxy keeps up (upstream ProxyHealthServer's state, without the HTTP): a family is unhealthy when an
/// update has been queued and no successful sync has followed within the health timeout (2 x sync period). A family
/// that is idle or still starting is healthy. /healthz additionally needs the Node to be eligible.
/// </summary>
public sealed class ProxyHealth
{
    private readonly object _lock = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<IPFamily, DateTimeOffset> _lastUpdated = [];
    private readonly Dictionary<IPFamily, DateTimeOffset> _oldestPendingQueued = [];
    private bool _nodeEligible = true;

    public ProxyHealth(TimeProvider time, TimeSpan healthTimeout, IEnumerable<IPFamily> families)
    {
        _time = time;
        HealthTimeout = healthTimeout;
        foreach (var f in families) _lastUpdated[f] = default;
    }

    public TimeSpan HealthTimeout { get; }

    public IReadOnlyCollection<IPFamily> Families => _lastUpdated.Keys;

    /// <summary>A change arrived that a sync must still apply.</summary>
    public void QueuedUpdate(IPFamily family)
    {
        lock (_lock)
        {
            if (!_oldestPendingQueued.ContainsKey(family)) _oldestPendingQueued[family] = _time.GetUtcNow();
        }
    }

    /// <summary>A sync of this family succeeded: everything queued so far is applied.</summary>
    public void Updated(IPFamily family)
    {
        lock (_lock)
        {
            _oldestPendingQueued.Remove(family);
            _lastUpdated[family] = _time.GetUtcNow();
        }
    }

    /// <summary>Node missing, being deleted or tainted ToBeDeletedByClusterAutoscaler makes /healthz fail (KEP-3836).</summary>
    public void SetNode(Node? node)
    {
        lock (_lock)
        {
            _nodeEligible = node is not null && !node.IsBeingDeleted && !node.IsToBeDeletedByClusterAutoscaler;
        }
    }

    public HealthReport Report()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var families = new Dictionary<IPFamily, FamilyHealth>();
            var healthy = true;
            var lastUpdated = DateTimeOffset.MinValue;
            DateTimeOffset? unhealthyLastUpdated = null;
            foreach (var (family, updated) in _lastUpdated)
            {
                // Upstream: still healthy only while the oldest queued update is younger than the timeout.
                var ok = !_oldestPendingQueued.TryGetValue(family, out var queued) || now - queued < HealthTimeout;
                families[family] = new FamilyHealth(updated, ok);
                healthy &= ok;
                if (!ok) unhealthyLastUpdated ??= updated;
                if (updated > lastUpdated) lastUpdated = updated;
            }
            // When unhealthy, upstream reports the failing family's last update rather than the newest of all.
            if (unhealthyLastUpdated is { } failing) lastUpdated = failing;
            return new HealthReport(now, lastUpdated == DateTimeOffset.MinValue ? default : lastUpdated, healthy, _nodeEligible, families);
        }
    }
}

public sealed record FamilyHealth(DateTimeOffset LastUpdated, bool Healthy);

/// <summary>A point-in-time view for the HTTP handlers.</summary>
public sealed record HealthReport(
    DateTimeOffset CurrentTime,
    DateTimeOffset LastUpdated,
    bool Healthy,
    bool NodeEligible,
    IReadOnlyDictionary<IPFamily, FamilyHealth> Families);
