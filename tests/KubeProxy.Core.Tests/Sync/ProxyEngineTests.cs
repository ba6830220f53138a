using KubeProxy.Core.Model;
using KubeProxy.Core.Tests.Support;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Sync;

/// <summary>
/// The engine end to end against fake data planes: the initial-sync gate, full versus partial syncs, failure
/// handling, health and metrics. Most tests drive <c>SyncOnce</c> directly so each sync is a deterministic step;
/// the runner-driven tests use virtual time.
/// </summary>
public sealed class ProxyEngineTests : IAsyncDisposable
{
    private const string ServiceChanges = "kubeproxy_sync_proxy_rules_service_changes_total";
    private const string EndpointChanges = "kubeproxy_sync_proxy_rules_endpoint_changes_total";
    private const string ServicePending = "kubeproxy_sync_proxy_rules_service_changes_pending";
    private const string EndpointPending = "kubeproxy_sync_proxy_rules_endpoint_changes_pending";
    private const string LastTimestamp = "kubeproxy_sync_proxy_rules_last_timestamp_seconds";
    private const string LastQueued = "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds";
    private const string NoLocal = "kubeproxy_sync_proxy_rules_no_local_endpoints_total";
    private const string ProgrammingCount = "kubeproxy_network_programming_duration_seconds_count";
    private const string ProgrammingSum = "kubeproxy_network_programming_duration_seconds_sum";

    private EngineHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static Service DualStack(string name = "svc1", int nodePort = 0) => Service(
        name,
        clusterIPs: ["198.19.0.10", "fd00:198:19::10"],
        type: nodePort == 0 ? ServiceType.ClusterIP : ServiceType.NodePort,
        ports: [new ServicePort("p80", Protocol.TCP, 80, nodePort)]);

    private void ServiceWithEndpoint(string name = "svc1")
    {
        _h.Engine.OnServiceUpsert(Service(name));
        _h.Engine.OnEndpointSliceUpsert(Slice($"{name}-1", [Endpoint("198.18.64.1")], service: name));
    }

    [Fact]
    public void NothingIsProgrammedBeforeServicesAndSlicesAreBothListed()
    {
        ServiceWithEndpoint();

        Assert.True(_h.SyncOnce());
        _h.Engine.OnServicesSynced();
        Assert.False(_h.Engine.SourcesSynced);
        Assert.True(_h.SyncOnce());
        Assert.Empty(_h.V4.Calls);

        _h.Engine.OnEndpointSlicesSynced();
        Assert.True(_h.Engine.SourcesSynced);
        Assert.True(_h.SyncOnce());

        var call = Assert.Single(_h.V4.Calls);
        Assert.True(call.FullSync);
        Assert.Single(call.Snapshot.ServicePorts);
    }

    [Fact]
    public void SlicesListedFirstAlsoWaitForServices()
    {
        ServiceWithEndpoint();
        _h.Engine.OnEndpointSlicesSynced();
        _h.SyncOnce();
        Assert.Empty(_h.V4.Calls);

        _h.Engine.OnServicesSynced();
        _h.SyncOnce();
        Assert.Single(_h.V4.Calls);
    }

    [Fact]
    public void FirstSyncIsFullThenPartialWithTheChangedServices()
    {
        ServiceWithEndpoint("a");
        ServiceWithEndpoint("b");
        _h.SourcesSynced();
        _h.SyncOnce();

        _h.Engine.OnEndpointSliceUpsert(Slice("b-1", [Endpoint("198.18.64.2")], service: "b"));
        _h.SyncOnce();
        _h.SyncOnce();

        Assert.Equal([true, false, false], _h.V4.Calls.Select(c => c.FullSync));
        Assert.Equal([Svc("a"), Svc("b")], _h.V4.Calls[0].Snapshot.ChangedServices.Order());
        Assert.Equal([Svc("b")], _h.V4.Calls[1].Snapshot.ChangedServices);
        Assert.Equal([Svc("b")], _h.V4.Calls[1].Snapshot.ChangedEndpoints);
        Assert.Empty(_h.V4.Calls[2].Snapshot.ChangedServices);
        Assert.Same(_h.V4.Calls[2].Snapshot, _h.Engine.LastApplied(IPFamily.IPv4));
    }

    [Fact]
    public void FailedSyncMakesTheNextOneFull()
    {
        ServiceWithEndpoint("a");
        _h.SourcesSynced();
        _h.SyncOnce();
        var applied = _h.Engine.LastApplied(IPFamily.IPv4);

        _h.V4.FailNext = 1;
        ServiceWithEndpoint("b");
        Assert.False(_h.SyncOnce());
        Assert.Same(applied, _h.Engine.LastApplied(IPFamily.IPv4));

        Assert.True(_h.SyncOnce());
        Assert.True(_h.SyncOnce());

        Assert.Equal([true, false, true, false], _h.V4.Calls.Select(c => c.FullSync));
        Assert.True(_h.V4.Calls[1].Failed);
        // The full sync after the failure carries everything, including what the failed sync did not apply.
        Assert.Equal(2, _h.V4.Calls[2].Snapshot.ServiceCount);
        Assert.Equal([false, true], _h.SyncedEvents.Skip(1).Take(2).Select(e => e.Ok));
    }

    [Fact]
    public void NodeLabelChangeForcesAFullSync()
    {
        _h.Engine.OnNodeUpsert(Node("zone-a"));
        ServiceWithEndpoint();
        _h.SourcesSynced();
        _h.SyncOnce();
        _h.SyncOnce();

        _h.Engine.OnNodeUpsert(Node("zone-b"));
        _h.SyncOnce();
        _h.Engine.OnNodeUpsert(Node("zone-b"));
        _h.SyncOnce();
        _h.Engine.OnNodeUpsert(Node("zone-b", labels: ("rack", "r2")));
        _h.SyncOnce();

        Assert.Equal([true, false, true, false, true], _h.V4.Calls.Select(c => c.FullSync));
        Assert.Equal("zone-b", _h.V4.Last.Snapshot.Node.Zone);
    }

    [Fact]
    public void OtherNodesAreIgnored()
    {
        _h.Engine.OnNodeUpsert(Node("zone-a"));
        _h.SourcesSynced();
        _h.SyncOnce();

        _h.Engine.OnNodeUpsert(Node("zone-x", name: "node-other") with { IsBeingDeleted = true });
        _h.Engine.OnNodeDelete("node-other");
        _h.SyncOnce();

        Assert.False(_h.V4.Last.FullSync);
        Assert.Equal("zone-a", _h.V4.Last.Snapshot.Node.Zone);
        Assert.True(_h.Health.Report().NodeEligible);

        _h.Engine.OnNodeDelete(NodeName);
        Assert.False(_h.Health.Report().NodeEligible);
    }

    [Fact]
    public void FullSyncAtLeastEveryFullSyncPeriod()
    {
        _h.SourcesSynced();
        _h.SyncOnce();
        _h.Time.Advance(TimeSpan.FromMinutes(59));
        _h.SyncOnce();
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        _h.SyncOnce();
        _h.SyncOnce();

        Assert.Equal([true, false, true, false], _h.V4.Calls.Select(c => c.FullSync));
    }

    [Fact]
    public void PostSyncHooksFollowSuccessfulSyncsOnlyAndMayFail()
    {
        _h.SourcesSynced();
        _h.SyncOnce();
        _h.V4.FailNext = 1;
        _h.SyncOnce();
        _h.Hooks[0].Throw = true;
        Assert.True(_h.SyncOnce());

        // The failed sync reached no hook; the sync after it was full; a throwing hook does not fail the sync.
        Assert.Equal([true, true], _h.Hooks[0].Calls.Select(c => c.Full));
        Assert.Equal([true, true], _h.Hooks[1].Calls.Select(c => c.Full));
        Assert.Equal(3, _h.V4.Calls.Count);
        Assert.Same(_h.V4.Last.Snapshot, _h.Hooks[1].Calls[^1].Snapshot);
        Assert.Same(_h.V4.Last.Snapshot, _h.Engine.LastApplied(IPFamily.IPv4));
    }

    [Fact]
    public async Task RunnerWaitsForBothSourcesBeforeTheFirstSync()
    {
        ServiceWithEndpoint();
        _h.StartLoop();
        var t0 = _h.Time.GetUtcNow();

        _h.Engine.OnServicesSynced();
        await Poll.UntilAsync(() => _h.Engine.SyncRuns == 1, "a run with only Services listed");
        Assert.Empty(_h.V4.Calls);

        _h.Engine.OnEndpointSlicesSynced();
        await _h.Time.WaitForTimerAsync(t0 + EngineHarness.MinSyncPeriod);
        _h.Time.Advance(EngineHarness.MinSyncPeriod);
        await Poll.UntilAsync(() => _h.V4.Calls.Count == 1, "first sync");
        Assert.True(_h.V4.Calls[0].FullSync);
    }

    [Fact]
    public async Task RunnerRetriesAFailedSyncAfterTheSyncPeriodWithAFullSync()
    {
        ServiceWithEndpoint();
        _h.V4.FailNext = 1;
        _h.SourcesSynced();
        var t0 = _h.Time.GetUtcNow();
        _h.StartLoop();
        await Poll.UntilAsync(() => _h.V4.Calls.Count == 1, "first sync");
        Assert.True(_h.V4.Calls[0].Failed);

        await _h.Time.WaitForTimerAsync(t0 + EngineHarness.SyncPeriod);
        _h.Time.Advance(EngineHarness.SyncPeriod);
        await Poll.UntilAsync(() => _h.V4.Calls.Count == 2, "retry");

        Assert.True(_h.V4.Calls[1].FullSync);
        Assert.False(_h.V4.Calls[1].Failed);
        Assert.Single(_h.V4.Calls[1].Snapshot.ServicePorts);
    }

    [Fact]
    public async Task RunnerCoalescesABurstOfChangesIntoOnePartialSync()
    {
        _h.SourcesSynced();
        var t0 = _h.Time.GetUtcNow();
        _h.StartLoop();
        await Poll.UntilAsync(() => _h.V4.Calls.Count == 1, "initial sync");
        // Idle: waiting for the periodic resync.
        await _h.Time.WaitForTimerAsync(t0 + EngineHarness.SyncPeriod);

        for (var i = 0; i < 50; i++) ServiceWithEndpoint($"svc{i}");
        await _h.Time.WaitForTimerAsync(t0 + EngineHarness.MinSyncPeriod);
        _h.Time.Advance(EngineHarness.MinSyncPeriod);
        await Poll.UntilAsync(() => _h.V4.Calls.Count == 2, "partial sync");
        await _h.Time.WaitForTimerAsync(t0 + EngineHarness.MinSyncPeriod + EngineHarness.SyncPeriod);

        Assert.Equal(2, _h.V4.Calls.Count);
        Assert.False(_h.V4.Calls[1].FullSync);
        Assert.Equal(50, _h.V4.Calls[1].Snapshot.ChangedServices.Count);
    }

    [Fact]
    public void HealthFollowsQueuedAndAppliedChanges()
    {
        _h.SourcesSynced();
        _h.SyncOnce();
        Assert.True(_h.Health.Report().Healthy);

        ServiceWithEndpoint();
        _h.V4.FailNext = 1;
        _h.SyncOnce();
        _h.Time.Advance(2 * EngineHarness.SyncPeriod);
        Assert.False(_h.Health.Report().Healthy);

        _h.SyncOnce();
        Assert.True(_h.Health.Report().Healthy);
        Assert.Equal(_h.Time.GetUtcNow(), _h.Health.Report().Families[IPFamily.IPv4].LastUpdated);
    }

    [Fact]
    public void NoOpChangesDoNotQueueWork()
    {
        ServiceWithEndpoint();
        _h.SourcesSynced();
        _h.SyncOnce();

        ServiceWithEndpoint();
        _h.Time.Advance(2 * EngineHarness.SyncPeriod);

        Assert.True(_h.Health.Report().Healthy);
        _h.SyncOnce();
        Assert.Empty(_h.V4.Last.Snapshot.ChangedServices);
    }

    [Fact]
    public void ChangeCountersCountEveryEventAndPendingGaugesResetOnSync()
    {
        // Upstream counts every event its trackers receive (servicechangetracker.go Update,
        // endpointschangetracker.go EndpointSliceUpdate), including ones that change nothing.
        _h.Engine.OnServiceUpsert(Service("a"));
        _h.Engine.OnServiceUpsert(Service("b"));
        _h.Engine.OnServiceUpsert(Service("b"));
        _h.Engine.OnServiceDelete(Svc("a"));
        _h.Engine.OnEndpointSliceUpsert(Slice("b-1", [Endpoint("198.18.64.1")], service: "b"));
        _h.Engine.OnEndpointSliceUpsert(Slice("b-1", [Endpoint("198.18.64.1")], service: "b"));
        _h.Engine.OnEndpointSliceUpsert(Slice("b-2", [Endpoint("198.18.64.2")], service: "b"));
        _h.Engine.OnEndpointSliceDelete(Name("ns1", "b-2"));

        Assert.Equal(4, _h.Counter(ServiceChanges, IPFamily.IPv4));
        Assert.Equal(4, _h.Counter(EndpointChanges, IPFamily.IPv4));
        Assert.Equal(2, _h.Counter(ServicePending, IPFamily.IPv4));
        Assert.Equal(1, _h.Counter(EndpointPending, IPFamily.IPv4));

        _h.SourcesSynced();
        _h.SyncOnce();
        Assert.Equal(0, _h.Counter(ServicePending, IPFamily.IPv4));
        Assert.Equal(0, _h.Counter(EndpointPending, IPFamily.IPv4));
        Assert.Equal(4, _h.Counter(ServiceChanges, IPFamily.IPv4));
    }

    [Fact]
    public void ServiceCidrAndNodeChangesAreNotServiceChanges()
    {
        _h.Engine.OnServiceCidrsChanged([new ServiceCidr("kubernetes", new[] { Cidr("198.19.0.0/20") })]);
        _h.Engine.OnNodeUpsert(Node("zone-a"));
        Assert.Equal(0, _h.Counter(ServiceChanges, IPFamily.IPv4));
        Assert.Equal(0, _h.Counter(EndpointChanges, IPFamily.IPv4));

        _h.SourcesSynced();
        _h.SyncOnce();
        Assert.Equal([Cidr("198.19.0.0/20")], _h.V4.Last.Snapshot.ServiceCidrs);
    }

    [Fact]
    public void TimestampsAreSetWhenQueuedAndWhenSynced()
    {
        Assert.Null(_h.Metric(LastTimestamp, ("ip_family", "IPv4")));
        _h.Time.Advance(TimeSpan.FromSeconds(10));
        ServiceWithEndpoint();
        var queuedAt = _h.Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        Assert.Equal(queuedAt, _h.Counter(LastQueued, IPFamily.IPv4));

        _h.Time.Advance(TimeSpan.FromSeconds(5));
        _h.SourcesSynced();
        _h.SyncOnce();
        var syncedAt = _h.Time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        Assert.True(syncedAt > 0);
        Assert.Equal(syncedAt, _h.Counter(LastTimestamp, IPFamily.IPv4));
        Assert.Equal(1, _h.Metric("kubeproxy_sync_full_proxy_rules_duration_seconds_count", ("ip_family", "IPv4")));
        Assert.Equal(1, _h.Metric("kubeproxy_sync_proxy_rules_duration_seconds_count", ("ip_family", "IPv4")));

        _h.SyncOnce();
        Assert.Equal(1, _h.Metric("kubeproxy_sync_partial_proxy_rules_duration_seconds_count", ("ip_family", "IPv4")));
        Assert.Equal(2, _h.Metric("kubeproxy_sync_proxy_rules_duration_seconds_count", ("ip_family", "IPv4")));
    }

    [Fact]
    public void FailedSyncLeavesTheLastSyncTimestampAlone()
    {
        _h.SourcesSynced();
        _h.SyncOnce();
        var before = _h.Counter(LastTimestamp, IPFamily.IPv4);

        _h.Time.Advance(TimeSpan.FromSeconds(30));
        _h.V4.FailNext = 1;
        _h.SyncOnce();

        Assert.Equal(before, _h.Counter(LastTimestamp, IPFamily.IPv4));
        Assert.Equal(1, _h.Metric("kubeproxy_sync_proxy_rules_duration_seconds_count", ("ip_family", "IPv4")));
    }

    [Fact]
    public void NoLocalEndpointsGaugeCountsLocalPolicyPortsWhoseEndpointsAreAllElsewhere()
    {
        _h.Engine.OnServiceUpsert(Service("internal", itp: TrafficPolicy.Local));
        _h.Engine.OnEndpointSliceUpsert(Slice("internal-1", [Endpoint("198.18.64.1", node: "node-b")], service: "internal"));
        _h.Engine.OnServiceUpsert(Service("external", type: ServiceType.NodePort, etp: TrafficPolicy.Local,
            ports: [new ServicePort("p80", Protocol.TCP, 80, 30080)]));
        _h.Engine.OnEndpointSliceUpsert(Slice("external-1", [Endpoint("198.18.64.2", node: "node-b")], service: "external"));
        // No endpoints at all: REJECT rather than DROP, so not counted.
        _h.Engine.OnServiceUpsert(Service("empty", itp: TrafficPolicy.Local));
        _h.SourcesSynced();
        _h.SyncOnce();

        Assert.Equal(1, _h.Counter(NoLocal, IPFamily.IPv4, ("traffic_policy", "internal")));
        Assert.Equal(1, _h.Counter(NoLocal, IPFamily.IPv4, ("traffic_policy", "external")));

        _h.Engine.OnEndpointSliceUpsert(Slice("internal-1", [Endpoint("198.18.64.1", node: NodeName)], service: "internal"));
        _h.SyncOnce();
        Assert.Equal(0, _h.Counter(NoLocal, IPFamily.IPv4, ("traffic_policy", "internal")));
        Assert.Equal(1, _h.Counter(NoLocal, IPFamily.IPv4, ("traffic_policy", "external")));

        _h.Engine.OnServiceDelete(Svc("external"));
        _h.SyncOnce();
        Assert.Equal(0, _h.Counter(NoLocal, IPFamily.IPv4, ("traffic_policy", "external")));
    }

    [Fact]
    public void ProgrammingLatencyIsObservedFromTheOldestTriggerAfterStart()
    {
        var start = _h.Time.GetUtcNow();
        _h.Engine.OnServiceUpsert(Service("old"));
        _h.Engine.OnServiceUpsert(Service("new"));
        // Triggers from before the proxy started would report its startup time, not programming latency (upstream
        // ignores them: endpointschangetracker.go trackerStartTime).
        _h.Engine.OnEndpointSliceUpsert(Slice("old-1", [Endpoint("198.18.64.1")], service: "old", trigger: start - TimeSpan.FromHours(3)));
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        _h.Engine.OnEndpointSliceUpsert(Slice("new-1", [Endpoint("198.18.64.2")], service: "new", trigger: _h.Time.GetUtcNow()));
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        _h.SourcesSynced();
        _h.SyncOnce();

        Assert.Equal(1, _h.Counter(ProgrammingCount, IPFamily.IPv4));
        Assert.Equal(2, _h.Counter(ProgrammingSum, IPFamily.IPv4));
    }

    [Fact]
    public void DualStackRunsOnePipelinePerFamily()
    {
        _h = new EngineHarness(IPFamily.IPv4, IPFamily.IPv6);
        _h.Engine.OnServiceUpsert(DualStack());
        _h.Engine.OnEndpointSliceUpsert(Slice("s4", [Endpoint("198.18.64.1")]));
        _h.Engine.OnEndpointSliceUpsert(Slice("s6", [Endpoint("fd00:198:18:40::1")], family: IPFamily.IPv6));
        _h.SourcesSynced();
        _h.SyncOnce();

        Assert.Equal(IPFamily.IPv4, _h.V4.Last.Snapshot.Family);
        Assert.Equal(IPFamily.IPv6, _h.V6.Last.Snapshot.Family);
        Assert.True(_h.V4.Last.FullSync && _h.V6.Last.FullSync);
        Assert.Equal(["198.18.64.1:8080"], _h.V4.Last.Snapshot.ServicePorts[PortName()].AllEndpoints.Select(e => e.Key));
        Assert.Equal(["[fd00:198:18:40::1]:8080"], _h.V6.Last.Snapshot.ServicePorts[PortName()].AllEndpoints.Select(e => e.Key));

        // An IPv4 slice concerns only the IPv4 pipeline.
        _h.Engine.OnEndpointSliceUpsert(Slice("s4", [Endpoint("198.18.64.1"), Endpoint("198.18.64.2")]));
        _h.Engine.OnEndpointSliceDelete(Name("ns1", "s6"));
        _h.SyncOnce();
        Assert.Equal([Svc()], _h.V4.Last.Snapshot.ChangedEndpoints);
        Assert.Equal([Svc()], _h.V6.Last.Snapshot.ChangedEndpoints);
        Assert.Empty(_h.V6.Last.Snapshot.ServicePorts[PortName()].AllEndpoints);

        _h.Engine.OnEndpointSliceUpsert(Slice("s4", [Endpoint("198.18.64.3")]));
        _h.SyncOnce();
        Assert.Equal([Svc()], _h.V4.Last.Snapshot.ChangedServices);
        Assert.Empty(_h.V6.Last.Snapshot.ChangedServices);

        // Service events reach both pipelines, slice events only their own family's (as upstream's metaproxier).
        Assert.Equal(1, _h.Counter(ServiceChanges, IPFamily.IPv4));
        Assert.Equal(1, _h.Counter(ServiceChanges, IPFamily.IPv6));
        Assert.Equal(3, _h.Counter(EndpointChanges, IPFamily.IPv4));
        Assert.Equal(2, _h.Counter(EndpointChanges, IPFamily.IPv6));
    }

    [Fact]
    public void DualStackFailureInOneFamilyMakesOnlyThatFamilyFull()
    {
        _h = new EngineHarness(IPFamily.IPv4, IPFamily.IPv6);
        _h.Engine.OnServiceUpsert(DualStack());
        _h.SourcesSynced();
        _h.SyncOnce();

        _h.V6.FailNext = 1;
        Assert.False(_h.SyncOnce());
        Assert.True(_h.SyncOnce());

        Assert.Equal([true, false, false], _h.V4.Calls.Select(c => c.FullSync));
        Assert.Equal([true, false, true], _h.V6.Calls.Select(c => c.FullSync));
    }

    [Fact]
    public void DualStackHealthIsPerFamily()
    {
        _h = new EngineHarness(IPFamily.IPv4, IPFamily.IPv6);
        _h.SourcesSynced();
        _h.SyncOnce();

        _h.Engine.OnServiceUpsert(DualStack());
        _h.V6.FailNext = 1;
        _h.SyncOnce();
        _h.Time.Advance(2 * EngineHarness.SyncPeriod);

        var report = _h.Health.Report();
        Assert.True(report.Families[IPFamily.IPv4].Healthy);
        Assert.False(report.Families[IPFamily.IPv6].Healthy);
    }

    [Fact]
    public void AnEndpointOfTheWrongFamilyIsSkippedAndReportedAsAnIncorrectIPVersionEventOnItsService()
    {
        _h.Engine.OnServiceUpsert(Service("web"));
        _h.Engine.OnEndpointSliceUpsert(Slice("web-1", [Endpoint("198.18.64.1"), Endpoint("fd00::7")], service: "web"));
        _h.SourcesSynced();
        _h.SyncOnce();

        var reported = Assert.Single(_h.Events.IncorrectIPVersions.Distinct());
        Assert.Equal((Svc("web"), "endpointslice", "fd00::7"), reported);
        var endpoints = _h.V4.Last.Snapshot.PortsOf(Svc("web")).SelectMany(p => p.AllEndpoints).Select(e => e.IP.ToString());
        Assert.Equal(["198.18.64.1"], endpoints);
    }
}
