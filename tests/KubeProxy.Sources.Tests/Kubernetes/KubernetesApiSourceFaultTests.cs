using k8s;
using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;
using Xunit.Abstractions;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>
/// The API source through every fault the fake server can inject. Each test ends with the sink converged to exactly
/// the server's state, and checks that the source said only what changed.
/// </summary>
public sealed class KubernetesApiSourceFaultTests(ITestOutputHelper output)
{
    private static void ChangeSome(FakeApiServer server)
    {
        server.Upsert(ApiObjects.Service("ns1", "svc-0001", 1, port: 8081));
        server.Delete(ResourceKind.Services, "ns2", "svc-0002");
        server.Upsert(ApiObjects.Service("ns0", "added", 700));
        server.Upsert(ApiObjects.Slice("ns1", "svc-0001-abc", "svc-0001", "198.18.70.1", "198.18.70.2"));
        server.Delete(ResourceKind.EndpointSlices, "ns2", "svc-0002-abc");
    }

    private static readonly HashSet<string> ChangeSomeCalls =
    [
        "ServiceUpsert ns1/svc-0001", "ServiceDelete ns2/svc-0002", "ServiceUpsert ns0/added",
        "EndpointSliceUpsert ns1/svc-0001-abc", "EndpointSliceDelete ns2/svc-0002-abc",
    ];

    private static HashSet<string> CallSet(RecordingSink sink, int mark) => [.. sink.CallsSince(mark).Select(c => c.ToString())];

    [Fact]
    public async Task A_dropped_watch_resumes_from_the_last_resourceVersion_without_relisting()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 20));
        await h.WaitConvergedAsync();
        var lists = h.Server.Requests.Count(r => r.Verb == ApiVerb.List);
        var mark = h.Sink.Mark();
        var before = h.Server.ResourceVersion;

        // Cut every watch, keep new ones failing for a while, and change things meanwhile.
        using (h.Server.Faults.Add(Fault.CloseOnConnect().On(ApiVerb.Watch).Repeat(4)))
        {
            h.Server.DropWatches();
            ChangeSome(h.Server);
            await h.WaitConvergedAsync();
        }

        Assert.Equal(ChangeSomeCalls, CallSet(h.Sink, mark));
        Assert.Equal(lists, h.Server.Requests.Count(r => r.Verb == ApiVerb.List));
        var resumed = h.Server.Requests.Where(r => r.Resource == "services" && r.Verb == ApiVerb.Watch).Last();
        Assert.True(long.Parse(resumed.ResourceVersion!) >= before, $"resumed from {resumed.ResourceVersion}, the list was at {before}");
    }

    [Fact]
    public async Task A_watch_dropped_after_some_events_resumes_after_the_last_one()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 5));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        // The next services watch dies after two events: the rest must come from the resumed watch, once each.
        h.Server.Faults.Add(Fault.Drop(afterEvents: 2).For("services").On(ApiVerb.Watch));
        using (h.Server.Faults.Add(Fault.CloseOnConnect().For("services").On(ApiVerb.Watch).Repeat(1)))
        {
            h.Server.DropWatches(ResourceKind.Services);
            for (var i = 0; i < 6; i++) h.Server.Upsert(ApiObjects.Service("ns0", $"burst-{i}", 800 + i));
        }
        await h.WaitConvergedAsync();

        var calls = h.Sink.CallsSince(mark).Select(c => c.ToString()).ToList();
        Assert.Equal(6, calls.Count);
        Assert.Equal(6, calls.Distinct().Count());
        Assert.Equal(1, h.Server.Faults.Hits(FaultKind.Drop));
    }

    [Fact]
    public async Task After_410_Gone_it_relists_and_delivers_only_the_differences()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 120));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        using (h.Server.Faults.Add(Fault.CloseOnConnect().On(ApiVerb.Watch).Forever()))
        {
            h.Server.DropWatches();
            ChangeSome(h.Server);
            // History is gone: the client's version is too old to watch from.
            h.Server.Compact();
        }
        await h.WaitConvergedAsync();

        Assert.Equal(ChangeSomeCalls, CallSet(h.Sink, mark));
        Assert.Contains(h.Logs.Lines, l => l.Message.Contains("expired", StringComparison.Ordinal) && l.Message.Contains("services", StringComparison.Ordinal));
        // The relist after 410 is a consistent read: no resourceVersion.
        var relist = h.Server.Requests.Where(r => r.Resource == "services" && r.Verb == ApiVerb.List).Skip(3).First();
        Assert.Null(relist.ResourceVersion);
    }

    [Fact]
    public async Task A_410_ERROR_event_with_nothing_changed_relists_and_delivers_nothing()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 30));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();
        var lists = h.Server.CountRequests(ResourceKind.EndpointSlices, ApiVerb.List);

        h.Server.Faults.Add(Fault.Gone().For("endpointslices").On(ApiVerb.Watch));
        h.Server.DropWatches(ResourceKind.EndpointSlices);
        await SourceHarness.EventuallyAsync(() => h.Server.CountRequests(ResourceKind.EndpointSlices, ApiVerb.List) > lists, "a relist");
        await SourceHarness.EventuallyAsync(() => h.Server.OpenWatches(ResourceKind.EndpointSlices) == 1, "a new watch");
        await h.WaitConvergedAsync();

        Assert.Empty(h.Sink.CallsSince(mark));
    }

    [Fact]
    public async Task An_expired_continue_token_restarts_the_list_without_pages()
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            KubernetesApiSourceTests.SeedCluster(s, 120);
            s.Faults.Add(Fault.Gone().For("services").On(ApiVerb.List) with { OnlyContinued = true });
        });
        await h.WaitConvergedAsync();

        var lists = h.Server.Requests.Where(r => r.Resource == "services" && r.Verb == ApiVerb.List).ToList();
        Assert.NotNull(lists[1].Continue);
        Assert.Null(lists[2].Limit);
        Assert.Null(lists[2].Continue);
        Assert.Equal(120, h.Sink.Services.Count);
        Assert.Equal(1, h.Sink.ServicesSynced);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Http_errors_on_list_and_watch_are_retried_until_it_converges(int status)
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            KubernetesApiSourceTests.SeedCluster(s, 60);
            s.Faults.Add(Fault.Status(status).For("services").On(ApiVerb.List).Repeat(3));
            s.Faults.Add(Fault.Status(status).For("endpointslices").On(ApiVerb.List).Repeat(2));
            s.Faults.Add(Fault.Status(status).For("endpointslices").On(ApiVerb.List).Repeat(1) with { OnlyContinued = true });
        });
        await h.WaitConvergedAsync();
        Assert.Equal(1, h.Sink.ServicesSynced);
        var mark = h.Sink.Mark();

        using (h.Server.Faults.Add(Fault.Status(status).On(ApiVerb.Watch).Repeat(6)))
        {
            h.Server.DropWatches();
            ChangeSome(h.Server);
            await h.WaitConvergedAsync();
        }

        Assert.Equal(ChangeSomeCalls, CallSet(h.Sink, mark));
        Assert.Equal(12, h.Server.Faults.Hits(FaultKind.Status));
        Assert.Contains(h.Logs.Lines, l => l.Message.Contains($"{status}", StringComparison.Ordinal) && l.Message.StartsWith("Failed to list services", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_list_that_hangs_without_a_byte_times_out_and_is_retried()
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            KubernetesApiSourceTests.SeedCluster(s, 10);
            s.Faults.Add(Fault.Hang().For("services").On(ApiVerb.List));
        }, startSource: false);
        h.StartSource(SourceHarness.FastOptions with { ListTimeout = TimeSpan.FromSeconds(2) });
        await h.WaitConvergedAsync();

        Assert.Equal(1, h.Server.Faults.Hits(FaultKind.Hang));
        Assert.Contains(h.Logs.Lines, l => l.Message.StartsWith("Failed to list services", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FaultKind.Hang)]
    [InlineData(FaultKind.HangAfterHeaders)]
    public async Task A_watch_that_hangs_is_replaced(FaultKind hang)
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 10));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        h.Server.Faults.Add(new Fault(hang).For("services").On(ApiVerb.Watch).Repeat(2));
        h.Server.DropWatches(ResourceKind.Services);
        h.Server.Upsert(ApiObjects.Service("ns0", "during-hang", 600));
        await h.WaitConvergedAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["ServiceUpsert ns0/during-hang"], h.Sink.CallsSince(mark).Select(c => c.ToString()));
        Assert.Equal(2, h.Server.Faults.Hits(hang));
    }

    [Fact]
    public async Task A_list_cut_mid_body_is_not_taken_for_a_complete_list()
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            KubernetesApiSourceTests.SeedCluster(s, 30);
            s.Faults.Add(Fault.Drop().For("services").On(ApiVerb.List));
        });
        await h.WaitConvergedAsync();

        Assert.Equal(1, h.Server.Faults.Hits(FaultKind.Drop));
        Assert.Equal(0, h.Sink.Deletes());
    }

    [Fact]
    public async Task Connections_closed_on_connect_delay_the_sync_and_deliver_nothing_until_the_server_answers()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 10), startSource: false);
        var refuse = h.Server.Faults.Add(Fault.CloseOnConnect().Forever());
        h.StartSource(SourceHarness.FastOptions);

        await SourceHarness.EventuallyAsync(() => h.Server.Faults.Hits(FaultKind.CloseOnConnect) >= 12, "retries against a closing server");
        Assert.Empty(h.Sink.Calls);

        refuse.Dispose();
        await h.WaitConvergedAsync();
        Assert.Equal(1, h.Sink.ServicesSynced);
    }

    [Fact]
    public async Task An_outage_delivers_no_deletes_and_the_source_converges_after_it()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 50));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        // The outage: every request fails for a while (long enough for the backoff to reach its cap several times).
        using (h.Server.Faults.Add(Fault.CloseOnConnect().Forever()))
        {
            h.Server.DropWatches();
            var started = DateTime.UtcNow;
            await SourceHarness.EventuallyAsync(
                () => DateTime.UtcNow - started > TimeSpan.FromSeconds(3) && h.Server.Faults.Hits(FaultKind.CloseOnConnect) >= 20,
                "a 3 s outage with retries", TimeSpan.FromSeconds(30));
            Assert.Empty(h.Sink.CallsSince(mark));
        }
        await h.WaitConvergedAsync();
        Assert.Empty(h.Sink.CallsSince(mark));

        // Same outage, now with changes behind it (and history compacted): only those changes come out.
        using (h.Server.Faults.Add(Fault.CloseOnConnect().Forever()))
        {
            h.Server.DropWatches();
            ChangeSome(h.Server);
            h.Server.Compact();
            var hits = h.Server.Faults.Hits(FaultKind.CloseOnConnect);
            await SourceHarness.EventuallyAsync(() => h.Server.Faults.Hits(FaultKind.CloseOnConnect) >= hits + 10, "retries during the outage");
            Assert.Empty(h.Sink.CallsSince(mark));
        }
        await h.WaitConvergedAsync();
        Assert.Equal(ChangeSomeCalls, CallSet(h.Sink, mark));
    }

    [Fact]
    public async Task A_restart_with_a_new_state_and_newer_versions_converges_with_only_the_differences()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 40));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        var objects = h.Server.Objects<V1Service>(ResourceKind.Services).Cast<IKubernetesObject<V1ObjectMeta>>()
            .Concat(h.Server.Objects<V1EndpointSlice>(ResourceKind.EndpointSlices))
            .Concat(h.Server.Objects<V1Node>(ResourceKind.Nodes))
            .Concat(h.Server.Objects<V1ServiceCIDR>(ResourceKind.ServiceCidrs))
            .Where(o => o.Metadata.Name is not ("svc-0003" or "svc-0003-abc"))
            .ToList();
        objects.Add(ApiObjects.Service("ns0", "after-restart", 650));
        h.Server.Restart(objects);
        await h.WaitConvergedAsync();

        Assert.Equal(
            new HashSet<string> { "ServiceDelete ns0/svc-0003", "EndpointSliceDelete ns0/svc-0003-abc", "ServiceUpsert ns0/after-restart" },
            CallSet(h.Sink, mark));
    }

    [Fact]
    public async Task A_restart_with_older_versions_answers_too_large_and_the_source_relists()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 10));
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        var objects = h.Server.Objects<V1Service>(ResourceKind.Services).Cast<IKubernetesObject<V1ObjectMeta>>()
            .Concat(h.Server.Objects<V1EndpointSlice>(ResourceKind.EndpointSlices))
            .Concat(h.Server.Objects<V1Node>(ResourceKind.Nodes))
            .Concat(h.Server.Objects<V1ServiceCIDR>(ResourceKind.ServiceCidrs))
            .Where(o => o.Metadata.Name != "svc-0001")
            .ToList();
        h.Server.Restart(objects, resourceVersion: 3);
        await h.WaitConvergedAsync();

        Assert.Equal(["ServiceDelete ns1/svc-0001"], h.Sink.CallsSince(mark).Select(c => c.ToString()));
        Assert.Contains(h.Logs.Lines, l => l.Message.Contains("Too large resource version", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_end_of_watch_resumes_at_once_without_relisting()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 10));
        await h.WaitConvergedAsync();
        var lists = h.Server.Requests.Count(r => r.Verb == ApiVerb.List);
        var mark = h.Sink.Mark();

        h.Server.Faults.Add(Fault.EndWatch(afterEvents: 1).For("services").On(ApiVerb.Watch).Repeat(3));
        h.Server.EndWatches(ResourceKind.Services);
        ChangeSome(h.Server);
        await h.WaitConvergedAsync();

        Assert.Equal(ChangeSomeCalls, CallSet(h.Sink, mark));
        Assert.Equal(lists, h.Server.Requests.Count(r => r.Verb == ApiVerb.List));
    }

    [Fact]
    public async Task Without_the_ServiceCIDR_API_the_source_skips_it_quietly()
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            KubernetesApiSourceTests.SeedCluster(s, 5);
            s.SetServed(ResourceKind.ServiceCidrs, false);
        });
        await h.WaitSyncedAsync();
        await SourceHarness.EventuallyAsync(() => h.Sink.Services.Count == 5 && h.Sink.Node is not null, "services and node");
        // The ServiceCIDR reflector runs on its own: wait for its 404 to be handled before looking at its traces.
        await SourceHarness.EventuallyAsync(
            () => h.Logs.Lines.Any(l => l.Message.Contains("does not serve servicecidrs", StringComparison.Ordinal)), "the 404 noted");

        Assert.Null(h.Sink.ServiceCidrs);
        Assert.Equal(1, h.Server.Requests.Count(r => r.Resource == "servicecidrs"));
        Assert.Contains(h.Logs.Lines, l => l.Message.Contains("does not serve servicecidrs", StringComparison.Ordinal));
        // Quietly: nothing above Information about ServiceCIDRs (a loaded machine may log slow lists of other kinds).
        Assert.DoesNotContain(h.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning &&
            l.Message.Contains("servicecidr", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Requests_without_the_right_bearer_token_get_401_and_deliver_nothing()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 5), startSource: false);
        h.Server.BearerToken = "right-token";
        h.StartSource(SourceHarness.FastOptions);
        await SourceHarness.EventuallyAsync(() => h.Server.Requests.Count(r => !r.Authorized) >= 12, "rejected requests");

        Assert.Empty(h.Sink.Calls);
        Assert.Contains(h.Logs.Lines, l => l.Message.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bookmarks_advance_the_resourceVersion_a_watch_resumes_from()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 3));
        await h.WaitConvergedAsync();

        // Changes to other resources move the global version; the services watch sees them only through bookmarks.
        for (var i = 0; i < 5; i++) h.Server.Upsert(ApiObjects.Node("node-b", $"198.18.0.{10 + i}"));
        var target = h.Server.ResourceVersion;
        await SourceHarness.EventuallyAsync(
            () => h.Server.Requests.Any(r => r.Resource == "services" && r.Verb == ApiVerb.Watch && long.Parse(r.ResourceVersion!) >= target),
            "a services watch resumed from a bookmarked version");
    }

    [Fact]
    public async Task A_resync_relists_and_redelivers_nothing_that_did_not_change()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 20), startSource: false);
        h.StartSource(SourceHarness.FastOptions with { ResyncPeriod = TimeSpan.FromMilliseconds(700) });
        // The synced callbacks follow the objects: take the mark only after both arrived.
        await h.WaitSyncedAsync();
        await h.WaitConvergedAsync();
        var mark = h.Sink.Mark();

        await SourceHarness.EventuallyAsync(() => h.Server.CountRequests(ResourceKind.Services, ApiVerb.List) >= 4, "three resyncs");
        Assert.Empty(h.Sink.CallsSince(mark));
        var resync = h.Server.Requests.Last(r => r.Resource == "services" && r.Verb == ApiVerb.List);
        Assert.Equal("NotOlderThan", resync.ResourceVersionMatch);

        h.Server.Upsert(ApiObjects.Service("ns0", "late", 999));
        await h.WaitConvergedAsync();
        Assert.Equal(["ServiceUpsert ns0/late"], h.Sink.CallsSince(mark).Select(c => c.ToString()));
    }
}
