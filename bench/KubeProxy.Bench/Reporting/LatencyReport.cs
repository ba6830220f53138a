using System.Globalization;
using System.Text;

namespace KubeProxy.Bench.Reporting;

/// <summary>The first-packet and churn sections of results.md, and the first-packet chart.</summary>
internal static class LatencyReport
{
    public static void WriteCharts(BenchReport report, string directory)
    {
        if (report.FirstPacket.Count > 0)
            File.WriteAllText(Path.Combine(directory, "first-packet.svg"), FirstPacketChart(report));
    }

    public static void AppendMarkdown(StringBuilder md, BenchReport report)
    {
        var c = CultureInfo.InvariantCulture;
        if (report.FirstPacket.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("First-packet latency: TCP connect time (SYN to SYN-ACK, round trip) from a client namespace through the router " +
                "to a ClusterIP on the node namespace (DNAT to a pod), each connect from a new source port; \"direct\" connects to the pod's " +
                "own address over the same path; Services programmed by the real kube-proxy from a manifest directory:");
            md.AppendLine();
            md.AppendLine("| Services × endpoints | connects | ClusterIP p50 | ClusterIP p99 | direct p50 | direct p99 | Service overhead (p50) | p50 vs fewest Services | load avg | kube-proxy first sync |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var baseline = report.FirstPacket.OrderBy(f => f.Services).First().ClusterIP.P50Ms;
            foreach (var f in report.FirstPacket.OrderBy(f => f.Services))
            {
                md.AppendLine(c, $"| {f.Services:N0} × {f.EndpointsPerService} | {f.ClusterIP.Count} | **{Us(f.ClusterIP.P50Ms)}** | {Us(f.ClusterIP.P99Ms)} | {Us(f.Direct.P50Ms)} | {Us(f.Direct.P99Ms)} | {Us(f.ServiceOverheadP50Ms)} | {f.ClusterIP.P50Ms / baseline:F2}× | {f.LoadAverage:F1} | {f.FirstSyncMs / 1000:F1} s |");
            }
        }

        if (report.Churn.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Network programming latency under churn (real kube-proxy on the fake API server, inside a namespace): each " +
                "change moves one endpoint of a different Service and stamps `endpoints.kubernetes.io/last-change-trigger-time`; " +
                "histogram = kube-proxy's `kubeproxy_network_programming_duration_seconds` (bucket-interpolated); kernel = trigger time " +
                "to the new endpoint's rule seen by `nft monitor` in the namespace:");
            md.AppendLine();
            md.AppendLine("| Services × endpoints | min sync period | changes/s | changes | histogram p50 | histogram p99 | kernel p50 | kernel p99 | kernel seen | syncs | mean sync | IPv4 syncs × mean | IPv6 syncs × mean | load avg | target p99 |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|");
            foreach (var f in report.Churn)
            {
                var target = f.MinSyncPeriod == "0s" ? "< 1 s" : "< 2 s";
                var k = f.Kernel;
                md.AppendLine(c, $"| {f.Services:N0} × {f.EndpointsPerService} | {f.MinSyncPeriod} | {f.ChangesPerSecond:F0} | {f.Changes:N0} | {Ms(f.HistogramP50Ms)} | **{Ms(f.HistogramP99Ms)}** | {(k is null ? "–" : Ms(k.P50Ms))} | {(k is null ? "–" : "**" + Ms(k.P99Ms) + "**")} | {(k is null ? "–" : $"{k.Count:N0}")} | {f.Syncs:N0} | {Ms(f.MeanSyncMs)} | {Family(f, "IPv4")} | {Family(f, "IPv6")} | {f.LoadAverage:F1} | {target} |");
            }
        }
    }

    private static string FirstPacketChart(BenchReport report)
    {
        var points = report.FirstPacket.OrderBy(f => f.Services).ToList();
        var series = new List<SvgChart.Series>
        {
            new("ClusterIP p50", points.Select(f => ((double)f.Services, f.ClusterIP.P50Ms * 1000)).ToList(), false),
            new("ClusterIP p99", points.Select(f => ((double)f.Services, f.ClusterIP.P99Ms * 1000)).ToList(), true),
            new("pod IP p50 (no Service)", points.Select(f => ((double)f.Services, f.Direct.P50Ms * 1000)).ToList(), false),
            new("pod IP p99", points.Select(f => ((double)f.Services, f.Direct.P99Ms * 1000)).ToList(), true),
        };
        return SvgChart.Render("TCP connect time through a ClusterIP against Service count", "Services", "µs", series);
    }

    private static string Family(ChurnFigures f, string family) =>
        f.SyncsByFamily.TryGetValue(family, out var s) ? string.Create(CultureInfo.InvariantCulture, $"{s.Syncs:N0} × {Ms(s.MeanSyncMs)}") : "–";

    private static string Us(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:F0} µs");

    private static string Ms(double ms) => double.IsNaN(ms) ? "–"
        : ms >= 10_000 ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:F1} s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:F0} ms");
}
