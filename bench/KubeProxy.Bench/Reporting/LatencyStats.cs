namespace KubeProxy.Bench.Reporting;

/// <summary>Order statistics of a set of latency samples, in milliseconds.</summary>
internal sealed record LatencyStats(int Count, double MinMs, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double MeanMs)
{
    public static LatencyStats Of(IReadOnlyCollection<double> samplesMs)
    {
        if (samplesMs.Count == 0) return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        var sorted = samplesMs.Order().ToArray();
        return new LatencyStats(sorted.Length, sorted[0], Quantile(sorted, 0.50), Quantile(sorted, 0.90), Quantile(sorted, 0.99),
            sorted[^1], sorted.Average());
    }

    /// <summary>Nearest rank: the smallest sample with at least q of the samples at or below it.</summary>
    internal static double Quantile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
