using KubeProxy.Bench.Reporting;

namespace KubeProxy.Bench.Tests;

public class HistogramQuantileTests
{
    private static readonly List<(double, double)> Buckets =
        [(0.25, 10), (0.5, 50), (1, 90), (2, 100), (double.PositiveInfinity, 100)];

    [Fact]
    public void Interpolates_inside_the_bucket_holding_the_rank_as_histogram_quantile_does()
    {
        // Rank 50 is the top of the (0.25, 0.5] bucket; rank 99 is 9/10 of the way through (1, 2].
        Assert.Equal(0.5, HistogramQuantile.Estimate(Buckets, 0.50), 6);
        Assert.Equal(1.9, HistogramQuantile.Estimate(Buckets, 0.99), 6);
        Assert.Equal(0.125, HistogramQuantile.Estimate(Buckets, 0.05), 6);
    }

    [Fact]
    public void A_rank_in_the_infinite_bucket_reports_the_last_finite_bound_and_an_empty_histogram_nan()
    {
        List<(double, double)> overflow = [(1, 1), (2, 2), (double.PositiveInfinity, 10)];
        Assert.Equal(2, HistogramQuantile.Estimate(overflow, 0.99));
        Assert.True(double.IsNaN(HistogramQuantile.Estimate([(1, 0), (double.PositiveInfinity, 0)], 0.5)));
    }

    [Fact]
    public void Delta_is_the_observations_between_two_scrapes()
    {
        List<(double, double)> before = [(1, 5), (double.PositiveInfinity, 6)];
        List<(double, double)> after = [(1, 8), (double.PositiveInfinity, 12)];
        Assert.Equal([(1.0, 3.0), (double.PositiveInfinity, 6.0)], HistogramQuantile.Delta(after, before));
    }

    [Fact]
    public void Latency_stats_use_nearest_rank()
    {
        var stats = LatencyStats.Of(Enumerable.Range(1, 100).Select(i => (double)i).ToList());
        Assert.Equal(50, stats.P50Ms);
        Assert.Equal(99, stats.P99Ms);
        Assert.Equal(1, stats.MinMs);
        Assert.Equal(100, stats.MaxMs);
    }
}
