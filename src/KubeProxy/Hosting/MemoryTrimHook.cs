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
/// </summary>
internal sealed partial class MemoryTrimHook : IPostSyncHook
{
    /// <summary>Below this much allocation since the last trim there is too little to give back to be worth a
    /// blocking collection.</summary>
    public const long AllocationThreshold = 64L * 1024 * 1024;

    private readonly IPFamily _lastFamily;
    private readonly Func<long> _allocatedBytes;
    private readonly Action _collect;
    private readonly ILogger _logger;
    private long _allocatedAtLastTrim;
    private bool _fullSyncSinceTrim;

    public MemoryTrimHook(IReadOnlyList<IPFamily> families, ILogger logger)
        : this(families, logger, () => GC.GetTotalAllocatedBytes(precise: false), Collect)
    {
    }

    /// <param name="families">In the order the engine syncs them: the trim waits for the last.</param>
    internal MemoryTrimHook(IReadOnlyList<IPFamily> families, ILogger logger, Func<long> allocatedBytes, Action collect)
    {
        ArgumentOutOfRangeException.ThrowIfZero(families.Count);
        _lastFamily = families[^1];
        _logger = logger;
        _allocatedBytes = allocatedBytes;
        _collect = collect;
        _allocatedAtLastTrim = allocatedBytes();
    }

    /// <summary>How many trims ran (for tests and diagnostics).</summary>
    public int Trims { get; private set; }

    public void AfterSync(ProxySnapshot snapshot, bool fullSync) => OnSynced(snapshot.Family, fullSync);

    /// <summary>The decision, apart from the snapshot: true when a trim ran.</summary>
    internal bool OnSynced(IPFamily family, bool fullSync)
    {
        // A full sync of the first family counts even though the trim waits for the second.
        _fullSyncSinceTrim |= fullSync;
        if (family != _lastFamily || !_fullSyncSinceTrim) return false;
        var allocated = _allocatedBytes();
        if (allocated - _allocatedAtLastTrim <= AllocationThreshold) return false;

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
        Trims++;
        return true;
    }

    private static void Collect() => NativeHeap.GiveBackAfterFullSync();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Memory trim after full sync ({AllocatedMiB} MiB allocated since the last): heap {HeapBeforeMiB} -> {HeapAfterMiB} MiB, RSS {RssBeforeMiB} -> {RssAfterMiB} MiB in {Milliseconds:F0} ms")]
        public static partial void Trimmed(ILogger logger, long allocatedMiB, long heapBeforeMiB, long heapAfterMiB, long rssBeforeMiB, long rssAfterMiB, double milliseconds);
    }
}
