namespace KubeProxy.Bench.ApiSource;

/// <summary>This process's resident set (VmRSS) and its peak (VmHWM), from /proc/self/status, in MiB.</summary>
internal static class Memory
{
    public static (double Rss, double Peak) Read()
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiB(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = KiB(line) / 1024;
        }
        return (rss, peak);
    }

    /// <summary>Resets the peak (VmHWM) so each phase reports its own.</summary>
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // Not permitted here: peaks then accumulate across phases.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static double KiB(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
