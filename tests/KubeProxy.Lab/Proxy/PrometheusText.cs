using System.Globalization;
using System.Text;

namespace KubeProxy.Lab.Proxy;

/// <summary>A small reader of the Prometheus text exposition format (enough for kube-proxy's /metrics).</summary>
public static class PrometheusText
{
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (TryParseLine(line, out var sample))
            {
                samples.Add(sample);
            }
            else
            {
                throw new FormatException($"not a Prometheus sample line: '{line}'");
            }
        }

        return samples;
    }

    /// <summary>The sum of all samples named <paramref name="name"/> whose labels include <paramref name="labels"/>; null if none.</summary>
    public static double? Sum(IEnumerable<MetricSample> samples, string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var matching = samples.Where(s => s.Matches(name, labels)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    private static bool TryParseLine(string line, out MetricSample sample)
    {
        sample = null!;
        var labels = new Dictionary<string, string>();
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (i < line.Length && line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                {
                    return false;
                }

                var key = line[i..eq].Trim();
                var value = new StringBuilder();
                i = eq + 2;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                labels[key] = value.ToString();
                i++; // closing quote
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
            }

            i++; // closing brace
        }

        var rest = line[Math.Min(i, line.Length)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (name.Length == 0 || rest.Length == 0 || !TryParseValue(rest[0], out var number))
        {
            return false;
        }

        sample = new MetricSample(name, labels, number);
        return true;
    }

    private static bool TryParseValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf": value = double.PositiveInfinity; return true;
            case "-Inf": value = double.NegativeInfinity; return true;
            case "NaN": value = double.NaN; return true;
            default: return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
