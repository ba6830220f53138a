using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KubeProxy.Bench.Reporting;

/// <summary>Writes results.json, results.md (the tables for docs/performance.md) and the SVG charts.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Upstream figures to compare with, keyed by shape, with their source.</summary>
    private static readonly Dictionary<string, string> UpstreamFull = new()
    {
        ["44000x1"] = "16 min 44 s at 44,125 Services (kubernetes#139513)",
        ["5000x50"] = "13 min 15 s at 5,006 Services / 250,011 endpoints (kubernetes#135639)",
    };

    public static void Write(BenchReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "results.json"), JsonSerializer.Serialize(report, Json));
        File.WriteAllText(Path.Combine(directory, "results.md"), Markdown(report));
        File.WriteAllText(Path.Combine(directory, "sync-time.svg"), SyncChart(report));
        File.WriteAllText(Path.Combine(directory, "memory.svg"), MemoryChart(report));
        LatencyReport.WriteCharts(report, directory);
    }

    public static BenchReport Read(string file) =>
        JsonSerializer.Deserialize<BenchReport>(File.ReadAllText(file), Json) ?? throw new InvalidDataException($"{file} is empty");

    public static string Line(SyncFigures f) => string.Create(CultureInfo.InvariantCulture,
        $"{f.Shape,-9} full {f.FullSync.TotalMs,9:F1} ms (tracking {f.FullSync.TrackingMs:F1} render {f.FullSync.RenderMs:F1} apply {f.FullSync.ApplyMs:F1}) " +
        $"kernel-only {f.KernelOnlyMs:F1} ms; re-sync {f.FullResync?.TotalMs ?? 0:F1} ms; endpoint change {f.EndpointChange.TotalMs:F1} ms; add service {f.AddService.TotalMs:F1} ms; " +
        $"RSS steady {f.SteadyRssMiB:F0} MiB peak {f.PeakRssMiB:F0} MiB managed heap {f.ManagedHeapMiB:F0} MiB");

    public static string Markdown(BenchReport report)
    {
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"Run {report.Started:u} on {report.Machine}{(report.Quick ? " (--quick)" : "")}.");
        md.AppendLine();
        md.AppendLine("Cold full sync (IPv4 + IPv6 planes; compute = tracking + render, apply = nft transaction; kernel-only = `nft -f` alone on the same script in a fresh namespace):");
        md.AppendLine();
        md.AppendLine("| Services × endpoints | endpoints | script | tracking | render | apply | **total** | compute share | kernel-only | ours / kernel-only | full re-sync (populated) | upstream |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var f in report.Sync)
        {
            var t = f.FullSync;
            md.AppendLine(c, $"| {f.Services:N0} × {f.EndpointsPerService} | {f.Endpoints:N0} | {t.ScriptBytes / 1048576.0:F1} MB | {Ms(t.TrackingMs)} | {Ms(t.RenderMs)} | {Ms(t.ApplyMs)} | **{Ms(t.TotalMs)}** | {t.ComputeShare:P0} | {Ms(f.KernelOnlyMs)} | {f.OverheadRatio:F2} | {(f.FullResync is { } r ? Ms(r.TotalMs) : "–")} | {UpstreamFull.GetValueOrDefault(f.Shape, "")} |");
        }
        md.AppendLine();
        md.AppendLine(c, $"Incremental (partial) sync, median of several runs, end to end in-process (tracking + render + nft apply):");
        md.AppendLine();
        md.AppendLine("| Services × endpoints | one endpoint changed | compute | apply | script | add one Service | compute | apply | script | upstream (add 1 Service) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var f in report.Sync)
        {
            var e = f.EndpointChange;
            var a = f.AddService;
            var upstream = f.Services == 10000 ? "about 141 ms at 10,000 (kubernetes PR 126013)" : "";
            md.AppendLine(c, $"| {f.Services:N0} × {f.EndpointsPerService} | **{Ms(e.TotalMs)}** | {Ms(e.ComputeMs)} | {Ms(e.ApplyMs)} | {e.ScriptBytes:N0} B | **{Ms(a.TotalMs)}** | {Ms(a.ComputeMs)} | {Ms(a.ApplyMs)} | {a.ScriptBytes:N0} B | {upstream} |");
        }
        md.AppendLine();
        md.AppendLine("Memory of the bench process (cluster state + data-plane records; the generated objects are the state):");
        md.AppendLine();
        md.AppendLine("| Services × endpoints | steady RSS (after GC) | peak RSS | live managed heap |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var f in report.Sync) md.AppendLine(c, $"| {f.Services:N0} × {f.EndpointsPerService} | {f.SteadyRssMiB:F0} MiB | {f.PeakRssMiB:F0} MiB | {f.ManagedHeapMiB:F0} MiB |");
        if (report.Startup.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("The real kube-proxy (`--manifests` on a generated directory, in a network namespace), start to first sync (first non-zero `kubeproxy_sync_proxy_rules_last_timestamp_seconds`):");
            md.AppendLine();
            md.AppendLine("| Services × endpoints | start to first sync | peak RSS | RSS after first sync | upstream |");
            md.AppendLine("|---|---:|---:|---:|---|");
            foreach (var s in report.Startup)
            {
                var upstream = s.Services == 10000 ? "260 MiB peak at 10,000 × 2, nftables mode" : "";
                md.AppendLine(c, $"| {s.Services:N0} × {s.EndpointsPerService} | {Ms(s.StartToFirstSyncMs)} | {s.PeakRssMiB:F0} MiB | {s.SteadyRssMiB:F0} MiB | {upstream} |");
            }
        }
        LatencyReport.AppendMarkdown(md, report);
        foreach (var note in report.Notes) md.AppendLine().AppendLine(c, $"Note: {note}");
        return md.ToString();
    }

    private static string Ms(double ms) => ms >= 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:F1} s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:F1} ms");

    private static string SyncChart(BenchReport report)
    {
        var series = new List<SvgChart.Series>();
        foreach (var group in report.Sync.GroupBy(f => f.EndpointsPerService).OrderBy(g => g.Key))
        {
            var points = group.OrderBy(f => f.Services).ToList();
            series.Add(new($"full sync, ×{group.Key} endpoints", points.Select(f => ((double)f.Services, f.FullSync.TotalMs / 1000)).ToList(), false));
            series.Add(new($"nft -f alone, ×{group.Key}", points.Select(f => ((double)f.Services, f.KernelOnlyMs / 1000)).ToList(), true));
        }
        return SvgChart.Render("Cold full sync time against Service count", "Services", "seconds", series);
    }

    private static string MemoryChart(BenchReport report)
    {
        var series = new List<SvgChart.Series>();
        foreach (var group in report.Sync.GroupBy(f => f.EndpointsPerService).OrderBy(g => g.Key))
        {
            var points = group.OrderBy(f => f.Services).ToList();
            series.Add(new($"peak RSS, ×{group.Key}", points.Select(f => ((double)f.Services, f.PeakRssMiB)).ToList(), false));
            series.Add(new($"steady RSS, ×{group.Key}", points.Select(f => ((double)f.Services, f.SteadyRssMiB)).ToList(), true));
        }
        return SvgChart.Render("Bench process memory against Service count", "Services", "MiB", series);
    }
}
