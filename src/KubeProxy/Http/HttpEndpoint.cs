using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Http;

/// <summary>
/// A minimal Kestrel server on fixed addresses with one request handler: what every kube-proxy HTTP endpoint needs
/// (healthz, metrics, service health-check node ports), without the rest of ASP.NET's stack.
/// </summary>
public sealed class HttpEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpEndpoint(WebApplication app) => _app = app;

    public IReadOnlyList<IPEndPoint> Addresses { get; private init; } = [];

    public static async Task<HttpEndpoint> StartAsync(IReadOnlyList<IPEndPoint> addresses, RequestDelegate handler, ILoggerFactory? loggerFactory = null)
    {
        // The empty builder: no configuration sources, so no appsettings.json watcher. The slim builder's watcher
        // costs one inotify instance per endpoint (metrics, healthz, every health-check node port), and when the
        // user's instances run out (128 by default, shared by every root process) the endpoint fails to start.
        // It also keeps ASPNETCORE_URLS and friends from adding listeners nobody asked for.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null) builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var address in addresses) k.Listen(address);
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync().ConfigureAwait(false);
        return new HttpEndpoint(app) { Addresses = addresses };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
