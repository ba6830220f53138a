namespace KubeProxy.Bench;

/// <summary>The process's resident memory from /proc/self/status, and a way to restart the peak measurement.</summary>
internal static class ProcessMemory
{
    /// <summary>Resident set size now, in KiB (VmRSS).</summary>
    public static long RssKiB() => Field("VmRSS:");

    /// <summary>Anonymous resident memory (the GC heap, native allocations, JIT code), in KiB (RssAnon).</summary>
    public static long RssAnonKiB() => Field("RssAnon:");

    /// <summary>File-backed resident memory (mapped assemblies and the runtime's own libraries), in KiB (RssFile).</summary>
    public static long RssFileKiB() => Field("RssFile:");

    /// <summary>Peak resident set size since start or the last <see cref="ResetPeak"/>, in KiB (VmHWM).</summary>
    public static long PeakKiB() => Field("VmHWM:");

    /// <summary>What kube-proxy's MemoryTrimHook runs after a full sync (a compacting collection, then malloc_trim):
    /// steady figures are read after the same, so that they show what the process settles at, not what the GC or the
    /// C heap happened to keep.</summary>
    public static void TrimLikeKubeProxy() => KubeProxy.Linux.Processes.NativeHeap.GiveBackAfterFullSync();

    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    public static string MiB(long kib) => $"{kib / 1024.0:F1} MiB";

    private static long Field(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
                return long.Parse(line[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"{name} not in /proc/self/status");
    }
}
