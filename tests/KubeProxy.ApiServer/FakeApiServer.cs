using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Http;
using KubeProxy.ApiServer.Resources;
using KubeProxy.ApiServer.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeProxy.ApiServer;

/// <summary>
/// A fake Kubernetes API server on 127.0.0.1 (random port) serving list and watch for Services, EndpointSlices,
/// Nodes and ServiceCIDRs with the real wire format and resourceVersion semantics, plus fault injection.
/// Tests change its state through <see cref="Upsert"/>, <see cref="Delete"/>, <see cref="Restart"/> and
/// <see cref="Compact"/>, and arm failures through <see cref="Faults"/>.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly ServerState _server;

    private FakeApiServer(WebApplication app, ServerState server, CancellationTokenSource stopping)
    {
        _app = app;
        _server = server;
        _stopping = stopping;
    }

    public Uri BaseUri { get; private set; } = null!;

    public FaultPlan Faults => _server.Faults;

    /// <summary>The bearer token every request must carry; null turns authentication off. Changeable at run time.</summary>
    public string? BearerToken
    {
        get => _server.BearerToken;
        set => _server.BearerToken = value;
    }

    /// <summary>The current (global) resourceVersion.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_server.Cluster.Gate) return _server.Cluster.ResourceVersion;
        }
    }

    public IReadOnlyList<RecordedRequest> Requests => [.. _server.Requests];

    /// <summary>Events clients created (bodies as posted, plus name/namespace/resourceVersion).</summary>
    public IReadOnlyList<JsonObject> RecordedEvents => [.. _server.Events];

    public static async Task<FakeApiServer> StartAsync(FakeApiServerOptions? options = null)
    {
        options ??= new FakeApiServerOptions();
        // The empty builder: no appsettings.json watcher, which would cost an inotify instance per server (a scarce,
        // machine-wide resource when many tests and kube-proxies run at once).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            foreach (var handle in options.ListenHandles)
            {
                k.ListenHandle(handle);
            }
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var server = new ServerState(options, stopping.Token);
        var handler = new ApiRequestHandler(server);
        app.Run(handler.HandleAsync);
        var fake = new FakeApiServer(app, server, stopping);
        await app.StartAsync();
        // The loopback port's address; listen handles show up as other entries.
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .First(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal) || a.StartsWith("http://[::]:", StringComparison.Ordinal));
        fake.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return fake;
    }

    /// <summary>Creates or replaces an object; returns its new resourceVersion.</summary>
    public long Upsert(IKubernetesObject<V1ObjectMeta> obj)
    {
        var kind = ResourceKind.For(obj);
        var (ns, name) = ObjectSerializer.IdentityOf(kind, obj);
        lock (_server.Cluster.Gate)
        {
            var state = _server.Cluster[kind];
            state.Objects.TryGetValue(ObjectSerializer.KeyOf(kind, ns, name), out var previous);
            var rv = ++_server.Cluster.ResourceVersion;
            var stored = ObjectSerializer.Store(kind, obj, rv, previous, DateTimeOffset.UtcNow);
            state.Record(new HistoryEvent(rv, previous is null ? HistoryEventType.Added : HistoryEventType.Modified, previous, stored));
            return rv;
        }
    }

    public void UpsertAll(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
    {
        foreach (var obj in objects) Upsert(obj);
    }

    /// <summary>Deletes an object; returns the deletion's resourceVersion, or null when there was no such object.</summary>
    public long? Delete(ResourceKind kind, string? ns, string name)
    {
        if (kind.Namespaced && string.IsNullOrEmpty(ns)) ns = "default";
        lock (_server.Cluster.Gate)
        {
            var state = _server.Cluster[kind];
            if (!state.Objects.TryGetValue(ObjectSerializer.KeyOf(kind, kind.Namespaced ? ns : null, name), out var last)) return null;
            var rv = ++_server.Cluster.ResourceVersion;
            state.Record(new HistoryEvent(rv, HistoryEventType.Deleted, last, ObjectSerializer.Tombstone(last, rv)));
            return rv;
        }
    }

    public long? Delete(IKubernetesObject<V1ObjectMeta> obj) =>
        Delete(ResourceKind.For(obj), obj.Metadata.NamespaceProperty, obj.Metadata.Name);

    /// <summary>The objects the server holds now, as the client would decode them.</summary>
    public IReadOnlyList<T> Objects<T>(ResourceKind kind)
    {
        List<string> json;
        lock (_server.Cluster.Gate) json = [.. _server.Cluster[kind].Objects.Values.Select(o => o.Json)];
        return [.. json.Select(j => KubernetesJson.Deserialize<T>(j))];
    }

    /// <summary>Makes the server lack (404) or serve a resource, like an API server without the ServiceCIDR API.</summary>
    public void SetServed(ResourceKind kind, bool served)
    {
        lock (_server.Cluster.Gate) _server.Cluster[kind].Enabled = served;
    }

    /// <summary>Forgets all history (etcd compaction): a watch from any version before now gets 410 Expired, and
    /// pending continue tokens expire.</summary>
    public void Compact()
    {
        lock (_server.Cluster.Gate)
        {
            foreach (var state in _server.Cluster.Resources.Values) state.Compact(_server.Cluster.ResourceVersion);
        }
    }

    /// <summary>Aborts open watches (the connection drops mid-stream).</summary>
    public void DropWatches(ResourceKind? kind = null) => ForWatchers(kind, w => w.Abort());

    /// <summary>Ends open watches cleanly, as a server-side timeout does.</summary>
    public void EndWatches(ResourceKind? kind = null) => ForWatchers(kind, w => w.End());

    public int OpenWatches(ResourceKind? kind = null)
    {
        lock (_server.Cluster.Gate)
        {
            return _server.Cluster.Resources.Values.Where(s => kind is null || s.Kind == kind).Sum(s => s.Watchers.Count);
        }
    }

    /// <summary>
    /// A restart with a new state (an etcd restore, a new cluster behind the same address): every connection drops,
    /// history is gone and the objects are replaced by <paramref name="objects"/>, written at new resourceVersions
    /// counting from <paramref name="resourceVersion"/> (default: well past the old ones; pass a smaller number to
    /// make the client's versions "too large").
    /// </summary>
    public void Restart(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects, long? resourceVersion = null)
    {
        lock (_server.Cluster.Gate)
        {
            var next = resourceVersion ?? _server.Cluster.ResourceVersion + 1000;
            _server.Cluster.ResourceVersion = next;
            foreach (var state in _server.Cluster.Resources.Values) state.Reset(next);
            foreach (var obj in objects) Upsert(obj);
        }
    }

    public int CountRequests(ResourceKind kind, ApiVerb verb) =>
        _server.Requests.Count(r => r.Resource == kind.Resource && r.Verb == verb);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private void ForWatchers(ResourceKind? kind, Action<Watching.WatchSubscription> action)
    {
        lock (_server.Cluster.Gate)
        {
            foreach (var state in _server.Cluster.Resources.Values.Where(s => kind is null || s.Kind == kind))
            {
                foreach (var watcher in state.Watchers) action(watcher);
                state.Watchers.Clear();
            }
        }
    }
}
