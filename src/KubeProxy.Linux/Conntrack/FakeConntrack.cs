using KubeProxy.Core.Model;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// An in-memory conntrack table for unit tests: entries in insertion order, deletes matched like the kernel does
/// (original tuple, protocol, zone, and id when given), and a record of every delete batch.
/// </summary>
public sealed class FakeConntrack : IConntrack
{
    private readonly List<ConntrackEntry> _entries = [];
    private uint _nextId = 1;

    public IReadOnlyList<ConntrackEntry> Entries => _entries;

    /// <summary>Each call to <see cref="Delete"/>, as passed.</summary>
    public List<ConntrackEntry[]> DeleteCalls { get; } = [];

    public int DumpCalls { get; private set; }

    /// <summary>When set, <see cref="Delete"/> throws this after recording the call.</summary>
    public Exception? DeleteFailure { get; set; }

    public void Add(params IEnumerable<ConntrackEntry> entries)
    {
        foreach (var entry in entries) _entries.Add(entry.Id == 0 ? entry with { Id = _nextId++ } : entry);
    }

    public long Dump(IPFamily family, byte protocol, ConntrackEntryVisitor visitor)
    {
        DumpCalls++;
        var wantV6 = family == IPFamily.IPv6;
        long visited = 0;
        // A copy, so the visitor may delete while we walk, as it may with the kernel.
        foreach (var entry in _entries.ToArray())
        {
            if (entry.IsIPv6 != wantV6 || (protocol != 0 && entry.Protocol != protocol)) continue;
            visited++;
            visitor(in entry);
        }
        return visited;
    }

    public int Delete(ReadOnlySpan<ConntrackEntry> entries)
    {
        DeleteCalls.Add(entries.ToArray());
        if (DeleteFailure is not null) throw DeleteFailure;
        var deleted = 0;
        foreach (var wanted in entries)
        {
            var index = _entries.FindIndex(e =>
                e.Protocol == wanted.Protocol && e.Original == wanted.Original && e.Zone == wanted.Zone && (wanted.Id == 0 || e.Id == wanted.Id));
            if (index < 0) continue;
            _entries.RemoveAt(index);
            deleted++;
        }
        return deleted;
    }

    public int Create(ReadOnlySpan<ConntrackEntry> entries, uint timeoutSeconds)
    {
        foreach (var entry in entries)
        {
            if (_entries.Exists(e => e.Protocol == entry.Protocol && e.Original == entry.Original && e.Zone == entry.Zone))
                throw new InvalidOperationException($"conntrack entry exists: {entry}");
            _entries.Add(entry with { Id = _nextId++, TimeoutSeconds = timeoutSeconds });
        }
        return entries.Length;
    }
}
