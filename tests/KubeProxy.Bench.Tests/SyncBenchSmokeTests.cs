using System.Text.Json;
using KubeProxy.Bench.Reporting;
using KubeProxy.Bench.Scenarios;

namespace KubeProxy.Bench.Tests;

/// <summary>
/// A short run of the sync benchmark so it never rots: it must complete against the real kernel and write
/// well-formed results. Times are never asserted (they belong to bench/, not to tests).
/// </summary>
public class SyncBenchSmokeTests
{
    [RootFact]
    public void A_small_sync_run_completes_and_writes_well_formed_results()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kpbench-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var exit = new SyncScenario().Run(new BenchArguments(["--sizes", "50x2", "--out", dir, "--startup", "none"]));
            Assert.Equal(0, exit);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
            var report = ReportWriter.Read(Path.Combine(dir, "results.json"));
            var figures = Assert.Single(report.Sync);
            Assert.Equal(50, figures.Services);
            Assert.Equal(2, figures.EndpointsPerService);
            Assert.True(figures.Endpoints >= 100);
            Assert.True(figures.FullSync.ScriptBytes > 0);
            Assert.True(figures.FullSync.ApplyMs > 0 && figures.KernelOnlyMs > 0);
            Assert.True(figures.EndpointChange.ScriptBytes > 0, "one endpoint change must send a non-empty transaction");
            Assert.True(figures.AddService.ScriptBytes > 0, "adding a Service must send a non-empty transaction");
            Assert.True(figures.PeakRssMiB >= figures.SteadyRssMiB * 0.5 && figures.SteadyRssMiB > 0);

            Assert.Contains("| 50 × 2 |", File.ReadAllText(Path.Combine(dir, "results.md")), StringComparison.Ordinal);
            foreach (var chart in new[] { "sync-time.svg", "memory.svg" })
            {
                var svg = System.Xml.Linq.XDocument.Load(Path.Combine(dir, chart));
                Assert.Equal("svg", svg.Root!.Name.LocalName);
                Assert.Contains(svg.Root.Elements(), e => e.Name.LocalName == "polyline");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
