using KubeProxy.Core.Metrics;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.Http;

/// <summary>The metrics address (default 127.0.0.1:10249): /metrics, /healthz ("ok"), /proxyMode, /configz.</summary>
public sealed class MetricsHandler(ProxyMetrics metrics, string proxyMode, Func<string> configz)
{
    public async Task HandleAsync(HttpContext context)
    {
        switch (context.Request.Path.Value)
        {
            case "/metrics":
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
                break;
            case "/healthz":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok").ConfigureAwait(false);
                break;
            case "/proxyMode":
                context.Response.ContentType = "text/plain; charset=utf-8";
                context.Response.Headers["X-Content-Type-Options"] = "nosniff";
                await context.Response.WriteAsync(proxyMode).ConfigureAwait(false);
                break;
            case "/configz":
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(configz()).ConfigureAwait(false);
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }
}
