using KubeProxy.Bench.Reporting;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// First-packet latency against the number of Services: see <see cref="FirstPacketMeasurement"/>. Adds its section to
/// the results.json already in the output directory (if any).
/// </summary>
internal sealed class FirstPacketScenario : IScenario
{
    public string Name => "first-packet";

    public string Usage => "[--services 100,10000,30000] [--connections 500] [--quick] [--out DIR] [--service-tables N]";

    public int Run(BenchArguments arguments)
    {
        var quick = arguments.Flag("quick");
        var services = arguments.String("services", quick ? "100,2000" : "100,10000,30000");
        var connections = arguments.Int("connections", quick ? 200 : 500);
        var outDir = arguments.String("out", "bench-results");
        // kube-proxy's --nftables-service-tables; absent: its default.
        var serviceTables = arguments.Int("service-tables", 0);
        arguments.EnsureAllUsed();
        if (!Environment.IsPrivilegedProcess) throw new ArgumentException("needs root (network namespaces, nft)");
        if (connections < 10) throw new ArgumentException("--connections must be at least 10");
        var counts = services.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s.Replace("_", ""), out var n) && n >= 1 ? n : throw new ArgumentException($"'{s}' is not a Service count"))
            .ToList();

        var report = ReportStore.LoadOrCreate(outDir, ReportStore.CommandLine(), quick);
        report.FirstPacket.Clear();
        report.Notes.RemoveAll(n => n.StartsWith("first-packet", StringComparison.Ordinal));
        report.Notes.Add($"first-packet: `{ReportStore.CommandLine()}`; connect time is a full TCP handshake round trip " +
            "(client → router → node DNAT → pod and back), not the per-packet rule-walk cost KEP-3866 reports; every generated Service " +
            "has one endpoint, the probed Service is one more, its ClusterIP outside the generated range.");
        foreach (var count in counts)
        {
            try
            {
                var figures = FirstPacketMeasurement.RunAsync(count, connections, serviceTables).GetAwaiter().GetResult();
                report.FirstPacket.Add(figures);
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"first-packet {count,6} Services: ClusterIP p50 {figures.ClusterIP.P50Ms * 1000:F0} µs p99 {figures.ClusterIP.P99Ms * 1000:F0} µs; " +
                    $"direct p50 {figures.Direct.P50Ms * 1000:F0} µs p99 {figures.Direct.P99Ms * 1000:F0} µs; first sync {figures.FirstSyncMs / 1000:F1} s; load {figures.LoadAverage:F1}"));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
            {
                report.Notes.Add($"first-packet at {count} Services failed: {e.Message.Split('\n')[0]}");
                Console.Error.WriteLine($"first-packet at {count} Services failed: {e}");
            }

            ReportWriter.Write(report, outDir);
        }

        Console.WriteLine($"wrote {Path.Combine(outDir, "results.json")}, results.md and first-packet.svg");
        return report.FirstPacket.Count == counts.Count ? 0 : 1;
    }
}
