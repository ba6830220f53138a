using KubeProxy.Bench.Reporting;

namespace KubeProxy.Bench.Scenarios;

/// <summary>Re-renders results.md and the charts from a results.json (after merging runs by hand, say); measures nothing.</summary>
internal sealed class ReportScenario : IScenario
{
    public string Name => "report";

    public string Usage => "[--out DIR]   re-render DIR/results.md and the SVG charts from DIR/results.json";

    public int Run(BenchArguments arguments)
    {
        var outDir = arguments.String("out", "bench-results");
        arguments.EnsureAllUsed();
        var file = Path.Combine(outDir, "results.json");
        if (!File.Exists(file)) throw new ArgumentException($"{file} does not exist");
        ReportWriter.Write(ReportWriter.Read(file), outDir);
        Console.WriteLine($"rendered {Path.Combine(outDir, "results.md")} and the charts from {file}");
        return 0;
    }
}
