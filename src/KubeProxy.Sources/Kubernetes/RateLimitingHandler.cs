namespace KubeProxy.Sources.Kubernetes;

/// <summary>Puts every request to the API server (lists, watch starts, events) through the token bucket.</summary>
internal sealed class RateLimitingHandler(TokenBucketRateLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
