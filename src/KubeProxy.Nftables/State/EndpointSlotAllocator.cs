namespace KubeProxy.Nftables.State;

/// <summary>
/// The key space of the endpoint-targets maps of one IP family (one space for all Service tables, so a key names one
/// element wherever it is). Ranges are handed out from the end of what is used, or reused when a range of the same
/// size was released; a full sync starts a fresh allocator, which packs them again.
/// </summary>
public sealed class EndpointSlotAllocator
{
    private readonly Dictionary<int, Stack<uint>> _released = [];
    private uint _next;

    /// <summary>Keys handed out from the end so far (released ranges included).</summary>
    public uint Used => _next;

    public uint Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (_released.TryGetValue(count, out var ranges) && ranges.Count > 0) return ranges.Pop();
        if (_next > uint.MaxValue - (uint)count) throw new EndpointSlotsExhaustedException();
        var start = _next;
        _next += (uint)count;
        return start;
    }

    public void Release(uint start, int count)
    {
        if (!_released.TryGetValue(count, out var ranges)) _released[count] = ranges = new Stack<uint>();
        ranges.Push(start);
    }
}

/// <summary>All 2^32 keys were handed out since the last full sync (which starts a fresh allocator).</summary>
public sealed class EndpointSlotsExhaustedException() : Exception("endpoint-targets keys exhausted; a full sync starts afresh");
