using System.Globalization;

namespace KubeProxy.Bench;

/// <summary>
/// With KPBENCH_MEMORY_DETAIL=1, a one-line breakdown of where the resident memory is: live GC heap, what the GC has
/// committed from the OS, and RSS split into anonymous and file-backed pages. RSS alone does not say whether a change
/// shrank live objects or only what the GC keeps around them.
/// </summary>
internal static class MemoryDetail
{
    public const string Variable = "KPBENCH_MEMORY_DETAIL";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>Prints the breakdown to stdout, labelled with <paramref name="when"/>, if enabled.</summary>
    public static void Print(string when)
    {
        if (Enabled) Console.WriteLine(Describe(when));
    }

    public static string Describe(string when)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        return string.Create(CultureInfo.InvariantCulture,
            $"memory {when}: live heap {Mib(GC.GetTotalMemory(forceFullCollection: false))}, GC heap {Mib(info.HeapSizeBytes)} " +
            $"(fragmented {Mib(info.FragmentedBytes)}), GC committed {Mib(info.TotalCommittedBytes)}, " +
            $"RSS {ProcessMemory.MiB(ProcessMemory.RssKiB())} (anon {ProcessMemory.MiB(ProcessMemory.RssAnonKiB())}, " +
            $"file {ProcessMemory.MiB(ProcessMemory.RssFileKiB())})");
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");
}
