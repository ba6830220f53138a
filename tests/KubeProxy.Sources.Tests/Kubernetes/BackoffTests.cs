using KubeProxy.Sources.Kubernetes.Reflection;

namespace KubeProxy.Sources.Tests.Kubernetes;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_double_with_jitter_up_to_the_cap_and_start_over_after_reset()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(30), new Random(7));

        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        double[] bases = [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000, 30000];
        for (var i = 0; i < bases.Length; i++)
        {
            Assert.InRange(delays[i], Math.Min(bases[i] * 0.8, 30000), Math.Min(bases[i] * 1.2, 30000));
        }
        Assert.True(delays.Distinct().Count() > 5, "jitter spreads the delays");

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 640, 960);
    }
}
