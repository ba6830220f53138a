using System.Collections.Immutable;
using KubeProxy.ApiServer.Resources;
using KubeProxy.ApiServer.Watching;

namespace KubeProxy.ApiServer.Storage;

/// <summary>
/// The state of one resource: current objects (an immutable sorted map, so a list snapshot costs one reference),
/// a bounded history of changes for watch replay, snapshots pinned by continue tokens, and the open watches.
/// Guarded by <see cref="ClusterState.Gate"/>.
/// </summary>
internal sealed class ResourceState(ResourceKind kind, int historyLimit)
{
    private const int SnapshotLimit = 64;

    private readonly Queue<HistoryEvent> _history = new();
    private readonly Dictionary<long, ImmutableSortedDictionary<string, StoredObject>> _snapshots = [];
    private readonly Queue<long> _snapshotOrder = new();

    public ResourceKind Kind { get; } = kind;

    /// <summary>When false the server answers 404 for this resource, like a server that lacks the API.</summary>
    public bool Enabled { get; set; } = true;

    public ImmutableSortedDictionary<string, StoredObject> Objects { get; private set; } =
        ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);

    /// <summary>Changes at or below this resourceVersion may be missing from the history: older watches get 410.</summary>
    public long CompactedThrough { get; private set; }

    public List<WatchSubscription> Watchers { get; } = [];

    public void Record(HistoryEvent change)
    {
        Objects = change.Type == HistoryEventType.Deleted
            ? Objects.Remove(change.Current.Key)
            : Objects.SetItem(change.Current.Key, change.Current);
        _history.Enqueue(change);
        while (_history.Count > historyLimit)
        {
            CompactedThrough = _history.Dequeue().ResourceVersion;
        }
        foreach (var watcher in Watchers) watcher.Offer(change);
    }

    public IEnumerable<HistoryEvent> EventsAfter(long resourceVersion) =>
        _history.Where(e => e.ResourceVersion > resourceVersion);

    /// <summary>Forgets the history up to <paramref name="resourceVersion"/>, as etcd compaction does.</summary>
    public void Compact(long resourceVersion)
    {
        _history.Clear();
        _snapshots.Clear();
        _snapshotOrder.Clear();
        CompactedThrough = resourceVersion;
    }

    /// <summary>Drops every object and watch (a restart with a new state).</summary>
    public void Reset(long resourceVersion)
    {
        Objects = Objects.Clear();
        Compact(resourceVersion);
        foreach (var watcher in Watchers) watcher.Abort();
        Watchers.Clear();
    }

    public void PinSnapshot(long resourceVersion, ImmutableSortedDictionary<string, StoredObject> objects)
    {
        if (_snapshots.ContainsKey(resourceVersion)) return;
        _snapshots[resourceVersion] = objects;
        _snapshotOrder.Enqueue(resourceVersion);
        while (_snapshotOrder.Count > SnapshotLimit) _snapshots.Remove(_snapshotOrder.Dequeue());
    }

    public bool TryGetSnapshot(long resourceVersion, out ImmutableSortedDictionary<string, StoredObject> objects) =>
        _snapshots.TryGetValue(resourceVersion, out objects!);
}
