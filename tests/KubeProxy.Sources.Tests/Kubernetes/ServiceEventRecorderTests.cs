using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Faults;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace KubeProxy.Sources.Tests.Kubernetes;

public sealed class ServiceEventRecorderTests(ITestOutputHelper output)
{
    private static readonly ObjectName Web = new("shop", "web");

    [Fact]
    public async Task IncorrectIPVersion_is_posted_once_per_service_and_value_as_a_Warning_on_the_Service()
    {
        await using var h = await SourceHarness.StartAsync(output, startSource: false);
        await using var recorder = new ServiceEventRecorder(h.Client, NullLogger<ServiceEventRecorder>.Instance);

        recorder.IncorrectIPVersion(Web, "endpointslice", "fd00::5");
        recorder.IncorrectIPVersion(Web, "endpointslice", "fd00::5"); // every sync that merges the slices reports it again
        recorder.IncorrectIPVersion(Web, "endpointslice", "fd00::5");
        recorder.IncorrectIPVersion(Web, "endpointslice", "fd00::6");
        await SourceHarness.EventuallyAsync(() => recorder.Posted == 2, "two events posted");

        Assert.Equal(2, h.Server.Requests.Count(r => r.Verb == ApiVerb.Create));
        var events = h.Server.RecordedEvents;
        Assert.Equal(2, events.Count);
        var e = events.Single(x => x["note"]!.GetValue<string>().StartsWith("fd00::5", StringComparison.Ordinal));
        Assert.Equal("fd00::5 in endpointslice has incorrect IP version", e["note"]!.GetValue<string>());
        Assert.Equal("KubeProxyIncorrectIPVersion", e["reason"]!.GetValue<string>());
        Assert.Equal("GatherEndpoints", e["action"]!.GetValue<string>());
        Assert.Equal("Warning", e["type"]!.GetValue<string>());
        Assert.Equal("kube-proxy", e["reportingController"]!.GetValue<string>());
        Assert.Equal("shop", e["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("Service", e["regarding"]!["kind"]!.GetValue<string>());
        Assert.Equal("shop", e["regarding"]!["namespace"]!.GetValue<string>());
        Assert.Equal("web", e["regarding"]!["name"]!.GetValue<string>());
        Assert.StartsWith("web.", e["metadata"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, recorder.Dropped);
    }

    [Fact]
    public async Task A_hanging_events_API_never_blocks_the_caller_and_a_full_queue_drops_and_counts()
    {
        await using var h = await SourceHarness.StartAsync(output, s => s.Faults.Add(Fault.Hang().For("events").On(ApiVerb.Create).Forever()),
            startSource: false);
        await using var recorder = new ServiceEventRecorder(h.Client, NullLogger<ServiceEventRecorder>.Instance, capacity: 4);

        // The first event is taken by the poster, which then hangs on the server.
        recorder.IncorrectIPVersion(Web, "endpointslice", "fd00::1");
        await SourceHarness.EventuallyAsync(() => h.Server.Faults.Hits(FaultKind.Hang) == 1, "the first post to hang");

        // Nine more distinct ones: four fit in the queue, five are dropped; none of these calls waits.
        for (var i = 2; i <= 10; i++)
        {
            recorder.IncorrectIPVersion(Web, "endpointslice", $"fd00::{i}");
        }

        Assert.Equal(5, recorder.Dropped);
        Assert.Equal(0, recorder.Posted);
        Assert.Empty(h.Server.RecordedEvents);
    }
}
