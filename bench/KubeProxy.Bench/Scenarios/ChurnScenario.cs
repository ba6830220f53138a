using System.Globalization;
using KubeProxy.Bench.Reporting;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// Network programming latency under EndpointSlice churn: see <see cref="ChurnMeasurement"/>. One run per minimum sync
/// period; adds its section to the results.json already in the output directory (if any).
/// </summary>
internal sealed class ChurnScenario : IScenario
{
    public string Name => "churn";

    public string Usage => "[--services 10000] [--rate 50] [--duration 60] [--min-sync-periods 0s,1s] [--no-kernel] [--quick] [--out DIR]";

    public int Run(BenchArguments arguments)
    {
        var quick = arguments.Flag("quick");
        var services = arguments.Int("services", quick ? 1000 : 10000);
        var rate = arguments.Double("rate", 50);
        var duration = arguments.Double("duration", quick ? 15 : 60);
        var periods = arguments.String("min-sync-periods", "0s,1s")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var kernel = !arguments.Flag("no-kernel");
        var outDir = arguments.String("out", "bench-results");
        arguments.EnsureAllUsed();
        if (!Environment.IsPrivilegedProcess) throw new ArgumentException("needs root (network namespaces, nft)");
        if (services < 1 || services > 30_000) throw new ArgumentException("--services must be 1..30000");
        if (rate <= 0 || rate > 1000 || duration <= 0) throw new ArgumentException("--rate must be in (0, 1000] and --duration positive");
        if (periods.Any(p => p is not ("0s" or "1s"))) throw new ArgumentException("--min-sync-periods takes 0s and/or 1s (1s is kube-proxy's default)");
        if (rate * duration > ChurnMeasurement.AddressPool) throw new ArgumentException($"at most {ChurnMeasurement.AddressPool} changes per run");

        var report = ReportStore.LoadOrCreate(outDir, ReportStore.CommandLine(), quick);
        report.Churn.Clear();
        report.Notes.RemoveAll(n => n.StartsWith("churn", StringComparison.Ordinal));
        report.Notes.Add($"churn: `{ReportStore.CommandLine()}`; the 1s rows run kube-proxy without --iptables-min-sync-period (its default, 1s). " +
            "The histogram's buckets are 0.25 s, 0.5 s, then whole seconds, so its quantiles are coarse; the kernel column times each " +
            "change individually (trigger time to the event line of `nft monitor`, which includes nft's own printing).");
        var failed = 0;
        foreach (var period in periods)
        {
            try
            {
                var figures = ChurnMeasurement.RunAsync(services, rate, TimeSpan.FromSeconds(duration), period, kernel).GetAwaiter().GetResult();
                report.Churn.Add(figures);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"churn {services} Services, min sync {period}: {figures.Changes} changes; histogram p50 {figures.HistogramP50Ms:F0} ms p99 {figures.HistogramP99Ms:F0} ms " +
                    $"({figures.HistogramObservations} observations); kernel p50 {figures.Kernel?.P50Ms:F0} ms p99 {figures.Kernel?.P99Ms:F0} ms " +
                    $"({figures.Kernel?.Count} seen); {figures.Syncs} syncs, mean {figures.MeanSyncMs:F0} ms; load {figures.LoadAverage:F1}"));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException)
            {
                failed++;
                report.Notes.Add($"churn with min sync period {period} failed: {e.Message.Split('\n')[0]}");
                Console.Error.WriteLine($"churn with min sync period {period} failed: {e}");
            }

            ReportWriter.Write(report, outDir);
        }

        Console.WriteLine($"wrote {Path.Combine(outDir, "results.json")} and results.md");
        return failed == 0 ? 0 : 1;
    }
}
