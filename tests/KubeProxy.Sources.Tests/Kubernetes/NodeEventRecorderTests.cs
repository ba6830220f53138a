using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Faults;
using KubeProxy.Sources.Kubernetes;
using KubeProxy.Sources.Kubernetes.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace KubeProxy.Sources.Tests.Kubernetes;

public sealed class NodeEventRecorderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_source_posts_a_Starting_event_for_its_node()
    {
        await using var h = await SourceHarness.StartAsync(output, s => KubernetesApiSourceTests.SeedCluster(s, 2), startSource: false);
        var source = new KubernetesApiSource(ResourceApis.For(h.Client), TestConversions.Instance,
            SourceHarness.FastOptions with { RecordStartingEvent = true }, h.Logs,
            new NodeEventRecorder(h.Client, SourceHarness.NodeName, TimeProvider.System, NullLogger<NodeEventRecorder>.Instance));
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(h.Sink, stop.Token);

        await SourceHarness.EventuallyAsync(() => h.Server.RecordedEvents.Count == 1, "the Starting event");
        await stop.CancelAsync();
        await run;

        var posted = h.Server.Requests.Single(r => r.Verb == ApiVerb.Create);
        Assert.Equal("/apis/events.k8s.io/v1/namespaces/default/events", posted.Path);
        var e = h.Server.RecordedEvents[0];
        Assert.Equal("Starting", e["reason"]!.GetValue<string>());
        Assert.Equal("StartKubeProxy", e["action"]!.GetValue<string>());
        Assert.Equal("Normal", e["type"]!.GetValue<string>());
        Assert.Equal("kube-proxy", e["reportingController"]!.GetValue<string>());
        Assert.Equal("Node", e["regarding"]!["kind"]!.GetValue<string>());
        Assert.Equal(SourceHarness.NodeName, e["regarding"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_hanging_events_API_does_not_hold_up_the_sync()
    {
        await using var h = await SourceHarness.StartAsync(output, s =>
        {
            KubernetesApiSourceTests.SeedCluster(s, 2);
            s.Faults.Add(Fault.Hang().For("events").On(ApiVerb.Create).Forever());
        }, startSource: false);
        var source = new KubernetesApiSource(ResourceApis.For(h.Client), TestConversions.Instance,
            SourceHarness.FastOptions with { RecordStartingEvent = true }, h.Logs,
            new NodeEventRecorder(h.Client, SourceHarness.NodeName, TimeProvider.System, NullLogger<NodeEventRecorder>.Instance));
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(h.Sink, stop.Token);

        await h.WaitConvergedAsync();
        Assert.Equal(1, h.Server.Faults.Hits(FaultKind.Hang));
        await stop.CancelAsync();
        await run;
    }
}
