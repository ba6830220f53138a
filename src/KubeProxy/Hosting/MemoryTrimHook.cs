using System.Diagnostics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sync;
using KubeProxy.Linux.Processes;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>
/// Gives memory back after a full sync. A full sync at 10,000 Services allocates hundreds of megabytes of
/// short-lived text (the ruleset, the listing), and the GC keeps the heap it grew for that: the process then sits at
/// well over its live size until the next full sync. One aggressive, compacting gen-2 collection after the round,
/// followed by malloc_trim for the C heap (<see cref="NativeHeap.GiveBackAfterFullSync"/>), returns that memory to
/// the OS. It runs only when a full sync happened and more than
/// <see cref="AllocationThreshold"/> was allocated since the last trim (so partial syncs never pay for it), and only
/// after the last family of the round has synced, so that on dual-stack both families' garbage goes in one pass.
/// <para>Between full syncs it bounds the young generation: the GC sizes its gen-0 budget from the CPU's cache (85 MiB
/// on this project's 2-core test VM, which reports a 260 MiB L3), and an idle kube-proxy, allocating a little every
/// sync and scrape, grew by all of that before its first collection (RSS +2 MiB every 30 s, no gen-0 collection in
/// minutes). So after a round in which more than <see cref="YoungBudget"/> was allocated with no collection, it runs
/// one gen-0 collection, which costs about nothing when little survives. The runtime's own knob for this
/// (<c>DOTNET_GCgen0size</c>) is read only from the environment, not from runtimeconfig.json.</para>
/// </summary>
internal sealed partial class MemoryTrimHook : IPostSyncHook
{
    /// <summary>Below this much allocation since the last trim there is too little to give back to be worth a
    /// blocking collection.</summary>
    public const long AllocationThreshold = 64L * 1024 * 1024;

    /// <summary>Allocation without any collection after which a round ends with a gen-0 collection.</summary>
    public const long YoungBudget = 8L * 1024 * 1024;

    private readonly IPFamily _lastFamily;
    private readonly Func<long> _allocatedBytes;
    private readonly Func<int> _youngCollections;
    private readonly Action _collect;
    private readonly Action _collectYoung;
    private readonly ILogger _logger;
    private long _allocatedAtLastTrim;
    private bool _fullSyncSinceTrim;
    private long _allocatedAtLastCollection;
    private int _youngCollectionsSeen;

    public MemoryTrimHook(IReadOnlyList<IPFamily> families, ILogger logger)
        : this(families, logger, () => GC.GetTotalAllocatedBytes(precise: false), Collect, () => GC.CollectionCount(0),
            () => GC.Collect(0, GCCollectionMode.Forced, blocking: true))
    {
    }

    /// <param name="families">In the order the engine syncs them: the trim waits for the last.</param>
    internal MemoryTrimHook(IReadOnlyList<IPFamily> families, ILogger logger, Func<long> allocatedBytes, Action collect)
        : this(families, logger, allocatedBytes, collect, () => 0, () => { })
    {
    }

    internal MemoryTrimHook(IReadOnlyList<IPFamily> families, ILogger logger, Func<long> allocatedBytes, Action collect,
        Func<int> youngCollections, Action collectYoung)
    {
        ArgumentOutOfRangeException.ThrowIfZero(families.Count);
        _lastFamily = families[^1];
        _logger = logger;
        _allocatedBytes = allocatedBytes;
        _collect = collect;
        _youngCollections = youngCollections;
        _collectYoung = collectYoung;
        _allocatedAtLastTrim = allocatedBytes();
        NoteCollection();
    }

    /// <summary>How many gen-0 collections the hook ran between full syncs (tests and diagnostics).</summary>
    public int YoungCollections { get; private set; }

    /// <summary>How many trims ran (for tests and diagnostics).</summary>
    public int Trims { get; private set; }

    public void AfterSync(ProxySnapshot snapshot, bool fullSync) => OnSynced(snapshot.Family, fullSync);

    /// <summary>The decision, apart from the snapshot: true when a trim ran.</summary>
    internal bool OnSynced(IPFamily family, bool fullSync)
    {
        // A full sync of the first family counts even though the trim waits for the second.
        _fullSyncSinceTrim |= fullSync;
        if (family != _lastFamily) return false;
        var allocated = _allocatedBytes();
        if (!_fullSyncSinceTrim || allocated - _allocatedAtLastTrim <= AllocationThreshold)
        {
            CollectYoungIfDue(allocated);
            return false;
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            // Only measured for the log line: reading RSS is a /proc read.
            var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
            var rssBefore = Environment.WorkingSet;
            var started = Stopwatch.GetTimestamp();
            _collect();
            var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var heapAfter = GC.GetTotalMemory(forceFullCollection: false);
            var rssAfter = Environment.WorkingSet;
            Log.Trimmed(_logger, (allocated - _allocatedAtLastTrim) >> 20, heapBefore >> 20, heapAfter >> 20, rssBefore >> 20, rssAfter >> 20, milliseconds);
        }
        else
        {
            _collect();
        }
        _fullSyncSinceTrim = false;
        _allocatedAtLastTrim = _allocatedBytes();
        NoteCollection();
        Trims++;
        return true;
    }

    private void CollectYoungIfDue(long allocated)
    {
        // Any collection since the last look (the GC's own, or a trim) resets the count.
        if (_youngCollections() != _youngCollectionsSeen)
        {
            NoteCollection();
            return;
        }
        if (allocated - _allocatedAtLastCollection <= YoungBudget) return;
        _collectYoung();
        YoungCollections++;
        NoteCollection();
    }

    private void NoteCollection()
    {
        _youngCollectionsSeen = _youngCollections();
        _allocatedAtLastCollection = _allocatedBytes();
    }

    private static void Collect() => NativeHeap.GiveBackAfterFullSync();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Memory trim after full sync ({AllocatedMiB} MiB allocated since the last): heap {HeapBeforeMiB} -> {HeapAfterMiB} MiB, RSS {RssBeforeMiB} -> {RssAfterMiB} MiB in {Milliseconds:F0} ms")]
        public static partial void Trimmed(ILogger logger, long allocatedMiB, long heapBeforeMiB, long heapAfterMiB, long rssBeforeMiB, long rssAfterMiB, double milliseconds);
    }
}
