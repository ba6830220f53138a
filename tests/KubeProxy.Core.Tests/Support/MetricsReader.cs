using System.Globalization;
using System.Text;
using Prometheus;

namespace KubeProxy.Core.Tests.Support;

/// <summary>Reads samples from a registry through prometheus-net's own text export, as a scraper would.</summary>
internal static class MetricsReader
{
    public static string Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The value of the sample <paramref name="name"/> whose labels include all of <paramref name="labels"/>;
    /// null when no such sample is exported.</summary>
    public static double? Value(CollectorRegistry registry, string name, params (string Key, string Value)[] labels)
    {
        foreach (var line in Export(registry).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            var series = line[..space];
            var brace = series.IndexOf('{');
            var metric = brace < 0 ? series : series[..brace];
            if (metric != name) continue;
            var labelText = brace < 0 ? "" : series[(brace + 1)..^1];
            if (!labels.All(l => labelText.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal))) continue;
            return double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return null;
    }
}
