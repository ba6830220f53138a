using KubeProxy.Bench.Reporting;
using KubeProxy.Bench.Scenarios;

namespace KubeProxy.Bench.Tests;

/// <summary>
/// A short churn run (50 Services, 60 EndpointSlice changes over 3 s, the real kube-proxy reading the fake API server
/// inside a namespace) so the scenario never rots: kube-proxy must observe the changes in its programming-latency
/// histogram and nft monitor must see them reach the kernel. Times are never asserted.
/// </summary>
public class ChurnBenchSmokeTests
{
    [RootFact]
    public void A_small_churn_run_sees_the_changes_in_the_histogram_and_the_kernel()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kpbench-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var exit = new ChurnScenario().Run(new BenchArguments(
                ["--services", "50", "--rate", "20", "--duration", "3", "--min-sync-periods", "0s", "--out", dir]));
            Assert.Equal(0, exit);

            var report = ReportWriter.Read(Path.Combine(dir, "results.json"));
            var figures = Assert.Single(report.Churn);
            Assert.Equal(50, figures.Services);
            Assert.Equal("0s", figures.MinSyncPeriod);
            Assert.Equal(60, figures.Changes);
            // Two changes of one Service inside one sync count once (50 Services, 60 changes), so not every change is an observation.
            Assert.InRange(figures.HistogramObservations, 1, 60);
            Assert.True(figures.HistogramP50Ms > 0 && figures.HistogramP50Ms <= figures.HistogramP99Ms);
            Assert.NotNull(figures.Kernel);
            Assert.InRange(figures.Kernel.Count, 1, 60);
            Assert.True(figures.Syncs >= 1);

            Assert.Contains("| 50 × 1 | 0s |", File.ReadAllText(Path.Combine(dir, "results.md")), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
