using k8s;
using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Resources;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Kubernetes;
using KubeProxy.Sources.Kubernetes.Reflection;
using Xunit.Abstractions;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>
/// A fake API server, a <see cref="KubernetesApiSource"/> reading it with fast retry settings, and a recording sink;
/// plus the convergence check every fault test ends with: the sink holds exactly what the server holds.
/// </summary>
internal sealed class SourceHarness : IAsyncDisposable
{
    public const string NodeName = "node-a";

    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    private SourceHarness(FakeApiServer server, IKubernetes client, CapturingLoggerFactory logs)
    {
        Server = server;
        Client = client;
        Logs = logs;
    }

    public FakeApiServer Server { get; }

    public IKubernetes Client { get; }

    public RecordingSink Sink { get; } = new();

    public CapturingLoggerFactory Logs { get; }

    /// <summary>Retry and timeout settings scaled down so each fault resolves within a second or two. The list timeout
    /// stays generous: on a loaded machine the first list (JIT of the JSON model) alone can take seconds.</summary>
    public static KubernetesApiSourceOptions FastOptions => new()
    {
        NodeName = NodeName,
        ResyncPeriod = TimeSpan.Zero,
        PageSize = 50,
        ListTimeout = TimeSpan.FromSeconds(10),
        WatchTimeout = TimeSpan.FromSeconds(1),
        WatchIdleGrace = TimeSpan.FromSeconds(1),
        BackoffInitial = TimeSpan.FromMilliseconds(20),
        BackoffMax = TimeSpan.FromMilliseconds(250),
        BackoffResetAfter = TimeSpan.FromSeconds(2),
        RecordStartingEvent = false,
    };

    public static async Task<SourceHarness> StartAsync(ITestOutputHelper? output = null, Action<FakeApiServer>? seed = null,
        FakeApiServerOptions? serverOptions = null, KubernetesApiSourceOptions? options = null, bool startSource = true)
    {
        var server = await FakeApiServer.StartAsync(serverOptions ?? new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(300) });
        seed?.Invoke(server);
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration
        {
            Host = server.BaseUri.ToString(),
            AccessToken = server.BearerToken,
        });
        var harness = new SourceHarness(server, client, new CapturingLoggerFactory(output));
        if (startSource) harness.StartSource(options ?? FastOptions);
        return harness;
    }

    public void StartSource(KubernetesApiSourceOptions options, KubeConversions? conversions = null)
    {
        var source = new KubernetesApiSource(ResourceApis.For(Client), conversions ?? TestConversions.Instance, options, Logs);
        _run = Task.Run(() => source.RunAsync(Sink, _stop.Token));
    }

    public Task WaitSyncedAsync() =>
        EventuallyAsync(() => Sink.ServicesSynced == 1 && Sink.EndpointSlicesSynced == 1, "services and endpointslices synced");

    /// <summary>Waits until the sink holds exactly the server's (converted) state and has been told that both initial
    /// lists are in (the synced signals follow the last object of a list, so a test that marks the sink right after
    /// convergence would otherwise see a late EndpointSlicesSynced as a new call); fails with the difference.</summary>
    public async Task WaitConvergedAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        string difference;
        while (!ConvergedAndSynced(out difference))
        {
            if (_run is { IsFaulted: true }) throw new InvalidOperationException("the source failed", _run.Exception);
            if (DateTime.UtcNow > deadline) Assert.Fail("the sink did not converge to the server's state: " + difference);
            await Task.Delay(20);
        }
    }

    private bool ConvergedAndSynced(out string difference)
    {
        if (!Converged(out difference)) return false;
        if (Sink.ServicesSynced > 0 && Sink.EndpointSlicesSynced > 0) return true;
        difference = "the initial lists were not signalled as synced";
        return false;
    }

    public bool Converged(out string difference)
    {
        var services = Server.Objects<V1Service>(ResourceKind.Services)
            .Where(s => s.Metadata.Labels?.ContainsKey(ProxyLabels.ServiceProxyName) != true && s.Metadata.Labels?.ContainsKey(ProxyLabels.Headless) != true)
            .Select(TestConversions.Service).Where(r => r.IsOk).Select(r => r.Value!).ToDictionary(s => s.Name);
        var slices = Server.Objects<V1EndpointSlice>(ResourceKind.EndpointSlices)
            .Where(s => s.Metadata.Labels?.ContainsKey(ProxyLabels.ServiceProxyName) != true && s.Metadata.Labels?.ContainsKey(ProxyLabels.Headless) != true)
            .Select(TestConversions.EndpointSlice).Where(r => r.IsOk).Select(r => r.Value!).ToDictionary(s => s.Name);
        var node = Server.Objects<V1Node>(ResourceKind.Nodes).Where(n => n.Metadata.Name == NodeName)
            .Select(TestConversions.Node).Where(r => r.IsOk).Select(r => r.Value!).SingleOrDefault();
        var cidrs = Server.Objects<V1ServiceCIDR>(ResourceKind.ServiceCidrs).Select(TestConversions.ServiceCidr)
            .Select(r => r.Value!).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

        difference = Compare("services", services, Sink.Services) ?? Compare("endpointslices", slices, Sink.EndpointSlices) ?? "";
        if (difference.Length > 0) return false;
        if (!Equals(node, Sink.Node))
        {
            difference = $"node: server {node?.Name ?? "none"}, sink {Sink.Node?.Name ?? "none"}";
            return false;
        }
        var sinkCidrs = Sink.ServiceCidrs?.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (sinkCidrs is null ? cidrs.Count > 0 : !cidrs.SequenceEqual(sinkCidrs))
        {
            difference = $"servicecidrs: server [{string.Join(",", cidrs.Select(c => c.Name))}], sink [{string.Join(",", sinkCidrs?.Select(c => c.Name) ?? [])}]";
            return false;
        }
        return true;
    }

    private static string? Compare<T>(string what, Dictionary<ObjectName, T> expected, Dictionary<ObjectName, T> actual)
    {
        var missing = expected.Keys.Where(k => !actual.ContainsKey(k)).ToList();
        var extra = actual.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var stale = expected.Keys.Where(k => actual.TryGetValue(k, out var a) && !Equals(a, expected[k])).ToList();
        if (missing.Count + extra.Count + stale.Count == 0) return null;
        return $"{what}: missing [{string.Join(",", missing.Take(5))}] ({missing.Count}), extra [{string.Join(",", extra.Take(5))}] " +
            $"({extra.Count}), stale [{string.Join(",", stale.Take(5))}] ({stale.Count})";
    }

    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for: " + what);
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            var finished = await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(finished == _run, "the source did not stop within 10 s of cancellation");
            await _run;
        }
        Client.Dispose();
        await Server.DisposeAsync();
        _stop.Dispose();
    }
}
