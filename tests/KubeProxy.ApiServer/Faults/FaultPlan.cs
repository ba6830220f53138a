namespace KubeProxy.ApiServer.Faults;

/// <summary>The faults currently armed; each request takes the first one that applies.</summary>
public sealed class FaultPlan
{
    private sealed class Armed(Fault fault)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = fault.Times;
    }

    private readonly Lock _gate = new();
    private readonly List<Armed> _armed = [];
    private readonly Dictionary<FaultKind, int> _hits = [];

    /// <summary>Arms a fault; disposing the handle disarms it.</summary>
    public IDisposable Add(Fault fault)
    {
        var armed = new Armed(fault);
        lock (_gate) _armed.Add(armed);
        return new Disarm(this, armed);
    }

    public void Clear()
    {
        lock (_gate) _armed.Clear();
    }

    /// <summary>How many requests faults of this kind have hit since the server started.</summary>
    public int Hits(FaultKind kind)
    {
        lock (_gate) return _hits.GetValueOrDefault(kind);
    }

    internal Fault? Take(string? resource, ApiVerb verb, bool continued)
    {
        lock (_gate)
        {
            foreach (var armed in _armed)
            {
                if (!armed.Fault.Applies(resource, verb, continued)) continue;
                _hits[armed.Fault.Kind] = _hits.GetValueOrDefault(armed.Fault.Kind) + 1;
                if (armed.Fault.Times > 0 && --armed.Remaining <= 0) _armed.Remove(armed);
                return armed.Fault;
            }
            return null;
        }
    }

    private sealed class Disarm(FaultPlan plan, Armed armed) : IDisposable
    {
        public void Dispose()
        {
            lock (plan._gate) plan._armed.Remove(armed);
        }
    }
}
