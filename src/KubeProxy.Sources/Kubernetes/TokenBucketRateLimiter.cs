namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// client-go's request limiter: a bucket of <c>burst</c> tokens refilled at <c>qps</c> per second; each request takes
/// one, waiting for it when the bucket is empty (--kube-api-qps / --kube-api-burst).
/// </summary>
internal sealed class TokenBucketRateLimiter
{
    private readonly Lock _gate = new();
    private readonly double _qps;
    private readonly int _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;

    public TokenBucketRateLimiter(double qps, int burst, TimeProvider time)
    {
        if (qps <= 0) throw new ArgumentOutOfRangeException(nameof(qps), "qps must be positive");
        if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst), "burst must be at least 1");
        _qps = qps;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Takes a token now, possibly on credit, and returns how long to wait before using it.</summary>
    public TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _qps));
            _refilledAt = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        var wait = Reserve();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
    }
}
