namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>
/// Jittered exponential backoff: the initial delay doubles per failure up to the cap, each delay spread by ±20% so
/// that many nodes that lost the API server at the same moment do not come back in lockstep.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var ticks = Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent));
        var jittered = ticks * (0.8 + (0.4 * random.NextDouble()));
        return TimeSpan.FromTicks((long)Math.Min(jittered, max.Ticks));
    }

    public void Reset() => _failures = 0;
}
