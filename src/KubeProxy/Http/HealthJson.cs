using System.Globalization;
using System.Text.Json;
using KubeProxy.Core.Health;

namespace KubeProxy.Http;

/// <summary>The /healthz and /livez body, field for field as upstream's proxy health server writes it.</summary>
public static class HealthJson
{
    public static string Write(HealthReport report, bool includeNodeEligible, bool healthy)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            // Upstream reports "now" as lastUpdated while healthy, so a prober sees a fresh timestamp.
            w.WriteString("lastUpdated", Time(healthy ? report.CurrentTime : report.LastUpdated));
            w.WriteString("currentTime", Time(report.CurrentTime));
            if (includeNodeEligible) w.WriteBoolean("nodeEligible", report.NodeEligible);
            w.WriteBoolean("healthy", healthy);
            w.WriteStartObject("status");
            foreach (var (family, f) in report.Families.OrderBy(kv => kv.Key))
            {
                w.WriteStartObject(family == Core.Model.IPFamily.IPv6 ? "IPv6" : "IPv4");
                w.WriteString("lastUpdated", Time(f.LastUpdated));
                w.WriteBoolean("healthy", f.Healthy);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>RFC 3339 with nanosecond-style fraction, like Go's time.Time JSON encoding.</summary>
    public static string Time(DateTimeOffset t) =>
        t == default ? "0001-01-01T00:00:00Z" : t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
