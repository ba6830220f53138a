using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Processes;

/// <summary>
/// The C library's heap. The runtime's native allocations (the JIT's among them) go through malloc, and glibc keeps
/// what is freed in its arenas rather than returning it. <c>malloc_trim</c> gives the free pages back: 5–6 MiB of
/// kube-proxy's resident memory after its first full sync at 10,000 Services × 10 endpoints (three runs).
/// </summary>
public static partial class NativeHeap
{
    /// <summary>What kube-proxy runs after a full sync (MemoryTrimHook, and the bench to measure the same): one
    /// aggressive, compacting collection, which also decommits the free space the GC would keep for the next burst,
    /// then <see cref="Trim"/>.</summary>
    public static void GiveBackAfterFullSync()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Trim();
    }

    /// <summary>Returns free C-heap pages to the system; false where the C library has no malloc_trim (musl).</summary>
    public static bool Trim()
    {
        if (!_available) return false;
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _available = false; // not there now, not there later: do not throw on every full sync
            return false;
        }
    }

    private static bool _available = true;

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
