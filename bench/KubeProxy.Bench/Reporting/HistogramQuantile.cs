namespace KubeProxy.Bench.Reporting;

/// <summary>
/// Quantiles of a Prometheus histogram from its cumulative bucket counts, as PromQL's histogram_quantile computes
/// them: find the bucket holding the rank and interpolate linearly inside it. The result is only as fine as the
/// buckets (kube-proxy's network programming histogram: 0.25 s, 0.5 s, then whole seconds).
/// </summary>
internal static class HistogramQuantile
{
    /// <param name="buckets">Upper bound (le) and cumulative count, +Inf included.</param>
    public static double Estimate(IReadOnlyList<(double UpperBound, double Count)> buckets, double q)
    {
        var ordered = buckets.OrderBy(b => b.UpperBound).ToList();
        if (ordered.Count == 0) return double.NaN;
        var total = ordered[^1].Count;
        if (total <= 0) return double.NaN;
        var rank = q * total;
        double lower = 0, below = 0;
        foreach (var (bound, count) in ordered)
        {
            if (count >= rank)
            {
                // Past the last finite bound nothing is known but "more than": report that bound, as PromQL does.
                if (double.IsPositiveInfinity(bound)) return lower;
                var inBucket = count - below;
                return inBucket <= 0 ? bound : lower + ((bound - lower) * (rank - below) / inBucket);
            }

            (lower, below) = (bound, count);
        }

        return lower;
    }

    /// <summary>Bucket-wise difference of two scrapes (after minus before): the observations made in between.</summary>
    public static List<(double UpperBound, double Count)> Delta(IReadOnlyList<(double UpperBound, double Count)> after,
        IReadOnlyList<(double UpperBound, double Count)> before)
    {
        var old = before.ToDictionary(b => b.UpperBound, b => b.Count);
        return after.Select(b => (b.UpperBound, b.Count - old.GetValueOrDefault(b.UpperBound))).ToList();
    }
}
