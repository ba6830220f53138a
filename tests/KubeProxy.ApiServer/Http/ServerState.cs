using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Storage;

namespace KubeProxy.ApiServer.Http;

/// <summary>What the request handlers share: the stored state, options, armed faults and the records tests read.</summary>
internal sealed class ServerState(FakeApiServerOptions options, CancellationToken stopping)
{
    public FakeApiServerOptions Options { get; } = options;

    public ClusterState Cluster { get; } = new(options.HistoryLimit, options.InitialResourceVersion);

    public FaultPlan Faults { get; } = new();

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<JsonObject> Events { get; } = new();

    /// <summary>Fires when the server stops, releasing hung requests.</summary>
    public CancellationToken Stopping { get; } = stopping;

    public string? BearerToken { get; set; } = options.BearerToken;
}
