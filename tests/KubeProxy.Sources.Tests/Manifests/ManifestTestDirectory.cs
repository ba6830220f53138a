using KubeProxy.Core.Model;
using KubeProxy.Sources.Manifests;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Tests.Manifests;

/// <summary>A temporary manifest directory with a source running on it; cleans both up.</summary>
internal sealed class ManifestTestDirectory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _run;

    public ManifestTestDirectory()
    {
        Path = Directory.CreateTempSubdirectory("kp-manifests-").FullName;
    }

    public string Path { get; }

    public RecordingSink Sink { get; } = new();

    public RecordingLogger Logger { get; } = new();

    public string Write(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    public ManifestSource CreateSource(string nodeName = "node-1", TimeProvider? time = null, bool watch = true) =>
        new(Path, nodeName, Logger, time ?? TimeProvider.System) { UseFileSystemWatcher = watch };

    /// <summary>Starts the source and waits for its first full read.</summary>
    public async Task StartAsync(ManifestSource? source = null)
    {
        source ??= CreateSource();
        _run = source.RunAsync(Sink, _stop.Token);
        await WaitUntilAsync(() => Sink.Synced || _run.IsCompleted, "initial sync");
        if (_run.IsFaulted) await _run;
    }

    /// <summary>Polls until the condition holds; fails after a deadline (generous: CI machines are slow).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public Task WaitForServiceAsync(string name, Func<Service, bool>? predicate = null) =>
        WaitUntilAsync(
            () => Sink.Services.TryGetValue(new ObjectName("default", name), out var s) && (predicate?.Invoke(s) ?? true),
            $"service default/{name}");

    public Task WaitForNoServiceAsync(string name) =>
        WaitUntilAsync(() => !Sink.Services.ContainsKey(new ObjectName("default", name)), $"service default/{name} to go");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null) await _run;
        _stop.Dispose();
        Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Manifest snippets for tests.</summary>
internal static class Yaml
{
    public static string Service(string name, string clusterIP, int port = 80, string? extraMetadata = null) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
        {extraMetadata ?? ""}
        spec:
          clusterIP: {clusterIP}
          ports:
          - port: {port}
        """;

    public static string Slice(string name, string service, string address, string? extraLabels = null) => $"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {name}
          labels:
            kubernetes.io/service-name: {service}
        {extraLabels ?? ""}
        addressType: IPv4
        ports:
        - port: 8080
        endpoints:
        - addresses: [{address}]
        """;

    public static string Node(string name, string address) => $"""
        apiVersion: v1
        kind: Node
        metadata:
          name: {name}
        status:
          addresses:
          - type: InternalIP
            address: {address}
        """;

    public static string Docs(params string[] documents) => string.Join("\n---\n", documents) + "\n";
}
