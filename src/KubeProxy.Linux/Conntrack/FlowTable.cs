using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// The read-only form of <see cref="StaleFlowMatcher"/>'s tables, laid out for the dump's inner loop: one
/// open-addressing array of keys (32 bytes a slot) and one array of endpoint addresses, so a lookup touches a slot
/// and a few consecutive endpoint words. Between two receives the kernel walks hundreds of kilobytes of conntrack
/// memory, so dictionaries of hash sets (five or six scattered cache lines a lookup) lose to this layout.
/// </summary>
internal sealed class FlowTable
{
    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly ulong[] _endpointLow;
    private readonly ulong[] _endpointHigh;

    public FlowTable(IReadOnlyCollection<KeyValuePair<ServiceFlowKey, HashSet<NetAddress>>> entries)
    {
        var capacity = 16;
        while (capacity < entries.Count * 2) capacity *= 2;
        _slots = new Slot[capacity];
        _mask = capacity - 1;
        _endpointLow = new ulong[entries.Sum(e => e.Value.Count)];
        _endpointHigh = new ulong[_endpointLow.Length];
        var next = 0;
        foreach (var (key, endpoints) in entries)
        {
            var index = ServiceFlowKey.Hash(key.High, key.Low, key.Tag) & _mask;
            while (_slots[index].Tag != 0) index = (index + 1) & _mask;
            _slots[index] = new Slot { High = key.High, Low = key.Low, Tag = key.Tag, Start = next, Count = endpoints.Count };
            foreach (var endpoint in endpoints)
            {
                _endpointLow[next] = endpoint.Low;
                _endpointHigh[next] = endpoint.High;
                next++;
            }
            if (key.IsNodePort) HasNodePorts = true;
        }
    }

    public bool HasNodePorts { get; }

    /// <summary>
    /// Finds the key; returns false when the flow is not to a service. When it is, <paramref name="allowed"/> says
    /// whether <paramref name="replySource"/> is one of its serving endpoints.
    /// </summary>
    public bool TryMatch(ulong high, ulong low, uint tag, in NetAddress replySource, out bool allowed)
    {
        // Tag is never 0 for a real key (the protocol bits are set), so 0 marks an empty slot.
        var index = ServiceFlowKey.Hash(high, low, tag) & _mask;
        while (true)
        {
            ref readonly var slot = ref _slots[index];
            if (slot.Tag == 0)
            {
                allowed = false;
                return false;
            }
            if (slot.Tag == tag && slot.Low == low && slot.High == high)
            {
                allowed = Contains(slot.Start, slot.Count, replySource);
                return true;
            }
            index = (index + 1) & _mask;
        }
    }

    private bool Contains(int start, int count, in NetAddress address)
    {
        var low = address.Low;
        var high = address.High;
        var lows = _endpointLow.AsSpan(start, count);
        for (var i = 0; i < lows.Length; i++)
        {
            if (lows[i] == low && _endpointHigh[start + i] == high) return true;
        }
        return false;
    }

    private struct Slot
    {
        public ulong High;
        public ulong Low;
        public uint Tag;
        public int Start;
        public int Count;
    }
}
