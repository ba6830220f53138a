using KubeProxy.Sources.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Sources.Tests.Kubernetes;

public sealed class TokenBucketRateLimiterTests
{
    [Fact]
    public void A_full_bucket_lets_a_burst_through_then_spaces_requests_by_one_over_qps()
    {
        var time = new FakeTimeProvider();
        var limiter = new TokenBucketRateLimiter(qps: 5, burst: 3, time);

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], [limiter.Reserve(), limiter.Reserve(), limiter.Reserve()]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(400), limiter.Reserve());
    }

    [Fact]
    public void The_bucket_refills_at_qps_up_to_the_burst()
    {
        var time = new FakeTimeProvider();
        var limiter = new TokenBucketRateLimiter(qps: 10, burst: 2, time);
        limiter.Reserve();
        limiter.Reserve();

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.Reserve());
    }
}
