using KubeProxy.Core.Health;
using KubeProxy.Core.Metrics;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.Http;

/// <summary>
/// The healthz address (default 0.0.0.0:10256): /livez answers from sync health alone; /healthz also needs this
/// Node to be eligible (present, not being deleted, not tainted ToBeDeletedByClusterAutoscaler), so load
/// balancers drain a node before it goes.
/// </summary>
public sealed class HealthzHandler(ProxyHealth health, ProxyMetrics metrics)
{
    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var report = health.Report();
        bool healthy;
        bool isHealthz;
        if (path == "/livez")
        {
            healthy = report.Healthy;
            isHealthz = false;
        }
        else if (path == "/healthz")
        {
            healthy = report.Healthy && report.NodeEligible;
            isHealthz = true;
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var code = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        (isHealthz ? metrics.HealthzTotal : metrics.LivezTotal).WithLabels(code.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        await context.Response.WriteAsync(HealthJson.Write(report, isHealthz, healthy)).ConfigureAwait(false);
    }
}
