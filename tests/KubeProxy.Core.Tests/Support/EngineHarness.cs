using KubeProxy.Core.Events;
using KubeProxy.Core.Health;
using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace KubeProxy.Core.Tests.Support;

/// <summary>A <see cref="ProxyEngine"/> wired to fake data planes, virtual time and a private metrics registry.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly TimeSpan MinSyncPeriod = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan SyncPeriod = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _cts = new();
    private Task? _loop;

    public EngineHarness(params IPFamily[] families)
    {
        if (families.Length == 0) families = [IPFamily.IPv4];
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Metrics = new ProxyMetrics(Registry);
        Health = new ProxyHealth(Time, 2 * SyncPeriod, families);
        Planes = families.ToDictionary(f => f, f => new FakeDataPlane(f));
        Engine = new ProxyEngine(
            new ProxyEngineOptions { NodeName = Make.NodeName, Families = families, MinSyncPeriod = MinSyncPeriod, SyncPeriod = SyncPeriod },
            Planes.Values,
            Hooks,
            Health,
            Metrics,
            NullLogger.Instance,
            Time,
            Events);
        Engine.Synced += (snapshot, ok) =>
        {
            lock (SyncedEvents) SyncedEvents.Add((snapshot, ok));
        };
    }

    public RecordingTimeProvider Time { get; } = new();

    /// <summary>The Kubernetes events the engine asked to record.</summary>
    public RecordingEvents Events { get; } = new();

    public CollectorRegistry Registry { get; }

    public ProxyMetrics Metrics { get; }

    public ProxyHealth Health { get; }

    public Dictionary<IPFamily, FakeDataPlane> Planes { get; }

    public FakeDataPlane V4 => Planes[IPFamily.IPv4];

    public FakeDataPlane V6 => Planes[IPFamily.IPv6];

    /// <summary>Two hooks, so a test can make the first throw and see the second still run.</summary>
    public List<RecordingHook> Hooks { get; } = [new RecordingHook(), new RecordingHook()];

    public List<(ProxySnapshot Snapshot, bool Ok)> SyncedEvents { get; } = [];

    public ProxyEngine Engine { get; }

    public void SourcesSynced()
    {
        Engine.OnServicesSynced();
        Engine.OnEndpointSlicesSynced();
    }

    public bool SyncOnce() => Engine.SyncOnce(CancellationToken.None);

    public void StartLoop() => _loop = Task.Run(() => Engine.RunAsync(_cts.Token));

    public double? Metric(string name, params (string Key, string Value)[] labels) => MetricsReader.Value(Registry, name, labels);

    public double Counter(string name, IPFamily family, params (string Key, string Value)[] labels) =>
        Metric(name, [("ip_family", family.Label()), .. labels]) ?? 0;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop.WaitAsync(Poll.DefaultDeadline); }
            catch (OperationCanceledException) { }
        }
        _cts.Dispose();
    }

    /// <summary>An <see cref="IPostSyncHook"/> that records its calls and can be told to throw.</summary>
    public sealed class RecordingHook : IPostSyncHook
    {
        public List<(ProxySnapshot Snapshot, bool Full)> Calls { get; } = [];

        public bool Throw { get; set; }

        public void AfterSync(ProxySnapshot snapshot, bool fullSync)
        {
            lock (Calls) Calls.Add((snapshot, fullSync));
            if (Throw) throw new InvalidOperationException("hook failure");
        }
    }

    /// <summary>An <see cref="IServiceEventRecorder"/> that keeps what it is given.</summary>
    public sealed class RecordingEvents : IServiceEventRecorder
    {
        public List<(ObjectName Service, string Field, string Value)> IncorrectIPVersions { get; } = [];

        public void IncorrectIPVersion(ObjectName service, string field, string value)
        {
            lock (IncorrectIPVersions) IncorrectIPVersions.Add((service, field, value));
        }
    }
}
