using System.Globalization;
using System.Net;
using System.Text;

namespace KubeProxy.Bench.Reporting;

/// <summary>A small hand-written line chart (no dependency): linear axes from zero, one polyline per series, a legend.</summary>
internal static class SvgChart
{
    internal sealed record Series(string Label, IReadOnlyList<(double X, double Y)> Points, bool Dashed);

    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    private const int Width = 720, Height = 420, Left = 70, Right = 230, Top = 40, Bottom = 50;

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        var xMax = Nice(all.Count == 0 ? 1 : all.Max(p => p.X));
        var yMax = Nice(all.Count == 0 ? 1 : all.Max(p => p.Y));
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        string X(double x) => F(Left + x / xMax * plotW);
        string Y(double y) => F(Top + plotH - y / yMax * plotH);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"22\" font-size=\"15\">{Escape(title)}</text>\n");
        for (var i = 0; i <= 5; i++)
        {
            var xv = xMax * i / 5;
            var yv = yMax * i / 5;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(yv)}\" x2=\"{Left + plotW}\" y2=\"{Y(yv)}\" stroke=\"#ddd\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Y(yv)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Label(yv)}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(xv)}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\">{Label(xv)}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{Top + plotH / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Top + plotH / 2})\">{Escape(yLabel)}</text>\n");
        for (var s = 0; s < series.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var dash = series[s].Dashed ? " stroke-dasharray=\"6 4\"" : "";
            var points = string.Join(' ', series[s].Points.Select(p => $"{X(p.X)},{Y(p.Y)}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            foreach (var p in series[s].Points)
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.X)}\" cy=\"{Y(p.Y)}\" r=\"3\" fill=\"{color}\"><title>{Escape(series[s].Label)}: {Label(p.X)}, {p.Y.ToString("G4", CultureInfo.InvariantCulture)}</title></circle>\n");
            var ly = Top + 10 + s * 18;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + plotW + 12}\" y1=\"{ly}\" x2=\"{Left + plotW + 36}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW + 42}\" y=\"{ly}\" dominant-baseline=\"middle\">{Escape(series[s].Label)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Rounds an axis maximum up to 1, 2 or 5 times a power of ten.</summary>
    internal static double Nice(double max)
    {
        if (max <= 0 || double.IsNaN(max)) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1.0, 2, 5, 10 })
        {
            if (max <= step * power) return step * power;
        }
        return 10 * power;
    }

    private static string Label(double v) => v >= 1000 && v % 1000 == 0
        ? (v / 1000).ToString(CultureInfo.InvariantCulture) + "k"
        : v.ToString("G3", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
