using KubeProxy.Bench.Reporting;
using KubeProxy.Bench.Scenarios;

namespace KubeProxy.Bench.Tests;

/// <summary>
/// A short first-packet run (a lab, the real kube-proxy with 20 Services, 20 connects) so the scenario never rots:
/// it must complete and report sane figures. Times are never asserted.
/// </summary>
public class FirstPacketBenchSmokeTests
{
    [RootFact]
    public void A_small_first_packet_run_completes_and_reports_every_connect()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kpbench-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var exit = new FirstPacketScenario().Run(new BenchArguments(["--services", "20", "--connections", "20", "--out", dir]));
            Assert.Equal(0, exit);

            var report = ReportWriter.Read(Path.Combine(dir, "results.json"));
            var figures = Assert.Single(report.FirstPacket);
            Assert.Equal(20, figures.Services);
            Assert.Equal(20, figures.ClusterIP.Count);
            Assert.Equal(20, figures.Direct.Count);
            Assert.True(figures.ClusterIP.MinMs > 0 && figures.ClusterIP.MinMs <= figures.ClusterIP.P50Ms && figures.ClusterIP.P50Ms <= figures.ClusterIP.P99Ms);
            Assert.True(figures.Direct.MinMs > 0 && figures.Direct.P50Ms <= figures.Direct.MaxMs);
            Assert.True(figures.FirstSyncMs > 0);

            Assert.Contains("| 20 × 1 | 20 |", File.ReadAllText(Path.Combine(dir, "results.md")), StringComparison.Ordinal);
            var svg = System.Xml.Linq.XDocument.Load(Path.Combine(dir, "first-packet.svg"));
            Assert.Contains(svg.Root!.Elements(), e => e.Name.LocalName == "polyline");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
