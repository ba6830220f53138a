namespace KubeProxy.Lab.Proxy;

/// <summary>One sample line of the Prometheus text format: <c>name{label="value"} 1.5</c>.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Matches(string name, IReadOnlyDictionary<string, string>? labels) =>
        Name == name && (labels is null || labels.All(l => Labels.TryGetValue(l.Key, out var v) && v == l.Value));
}
