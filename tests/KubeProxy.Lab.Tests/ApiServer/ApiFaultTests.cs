using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;
using KubeProxy.Core.Model;
using KubeProxy.Lab.ApiServer;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.ApiServer;

/// <summary>
/// The real kube-proxy process against the API test server through every fault the server can produce, one after
/// the other on one lab (a lab and kube-proxy start cost seconds each). After each fault a change is made on the
/// server, and the test waits until traffic from the client to the Service's ClusterIP is answered by the endpoint
/// the server now holds: convergence is judged by packets, never by rule text.
/// </summary>
public sealed class ApiFaultTests(ITestOutputHelper output)
{
    private static readonly System.Net.IPAddress WebIP = LabAddresses.ClusterIPV4(21);
    private static readonly System.Net.IPAddress ApiIP = LabAddresses.ClusterIPV4(22);
    private static readonly ServiceManifest Web = new("web", "lab") { ClusterIPs = [WebIP], Ports = [new("http", 80)] };

    [RootFact]
    public async Task KubeProxyConvergesToTheServersStateAfterEveryApiFault()
    {
        await using var lab = await ApiProxyLab.StartAsync(output, l => [Web, WebSlice(l, "web-1")]);
        await lab.WaitForAnswerAsync("initial state", WebIP, "web-1");
        var server = lab.Server;

        // 1. A watch dropped mid-stream: the open watches are cut, and the next slice watch is cut again after its
        // first event. kube-proxy resumes from the last version it saw and gets the change that followed.
        using (server.Faults.Add(Fault.Drop(afterEvents: 1).For(ResourceKind.EndpointSlices.Resource).On(ApiVerb.Watch)))
        {
            server.DropWatches();
            await WaitForWatchAsync(lab, ResourceKind.EndpointSlices);
            lab.Api.Apply(WebSlice(lab, "web-3"));
            lab.Api.Apply(WebSlice(lab, "web-2"));
            await lab.WaitForAnswerAsync("watch dropped mid-stream", WebIP, "web-2");
        }

        Assert.True(server.Faults.Hits(FaultKind.Drop) >= 1, "the mid-stream drop never hit a watch");

        // 2. 410 Gone on the watch (resourceVersion expired): kube-proxy relists and applies the difference.
        var listsBefore = server.CountRequests(ResourceKind.EndpointSlices, ApiVerb.List);
        using (server.Faults.Add(Fault.Gone().For(ResourceKind.EndpointSlices.Resource).On(ApiVerb.Watch)))
        {
            lab.Api.Apply(WebSlice(lab, "web-3"));
            server.DropWatches(ResourceKind.EndpointSlices);
            await lab.WaitForAnswerAsync("410 Gone on watch", WebIP, "web-3");
            // The change can reach kube-proxy through the old watch just before it is dropped; the re-watch that
            // meets the 410, and the relist after it, may then come a moment after the answer: wait for both.
            await WaitUntilAsync(lab, () => server.Faults.Hits(FaultKind.Gone) >= 1, "no watch met the 410");
            await WaitUntilAsync(lab, () => server.CountRequests(ResourceKind.EndpointSlices, ApiVerb.List) > listsBefore, "no relist after the 410");
        }

        // 3. 429, 500 and 503 on lists and watches of every resource: retried with backoff until answered.
        using (server.Faults.Add(Fault.Status(429).Repeat(2)))
        using (server.Faults.Add(Fault.Status(500).Repeat(2)))
        using (server.Faults.Add(Fault.Status(503).Repeat(2)))
        {
            server.DropWatches();
            lab.Api.Apply(WebSlice(lab, "web-1"));
            await lab.WaitForAnswerAsync("429/500/503 answers", WebIP, "web-1");
            Assert.True(server.Faults.Hits(FaultKind.Status) >= 6, $"only {server.Faults.Hits(FaultKind.Status)} requests met the status faults");
        }

        // 4. A watch that hangs: first one that sends the headers and then nothing, then one that sends no byte at all.
        // Each is taken for dead after its timeout plus the idle grace, and replaced.
        using (server.Faults.Add(Fault.HangAfterHeaders().For(ResourceKind.EndpointSlices.Resource).On(ApiVerb.Watch)))
        using (server.Faults.Add(Fault.Hang().For(ResourceKind.EndpointSlices.Resource).On(ApiVerb.Watch)))
        {
            server.DropWatches(ResourceKind.EndpointSlices);
            lab.Api.Apply(WebSlice(lab, "web-2"));
            await lab.WaitForAnswerAsync("hanging watches", WebIP, "web-2", timeout: TimeSpan.FromSeconds(60));
        }

        Assert.True(server.Faults.Hits(FaultKind.HangAfterHeaders) >= 1 && server.Faults.Hits(FaultKind.Hang) >= 1,
            "the hang faults were not both met");

        // 5. Connections closed as soon as the request arrives, for several requests of every resource.
        using (server.Faults.Add(Fault.CloseOnConnect().Repeat(6)))
        {
            server.DropWatches();
            lab.Api.Apply(WebSlice(lab, "web-3"));
            await lab.WaitForAnswerAsync("connections closed on connect", WebIP, "web-3");
        }

        Assert.True(server.Faults.Hits(FaultKind.CloseOnConnect) >= 6, "the close-on-connect fault was not met 6 times");

        // 6. A restart with a new state: every connection drops, history is gone, objects are replaced at new versions.
        // The new state moves web to web-1 and adds a Service 'api' answered by web-2.
        var apiService = new ServiceManifest("api", "lab") { ClusterIPs = [ApiIP], Ports = [new("http", 80)] };
        var apiSlice = EndpointSliceManifest.Of(apiService, IPFamily.IPv4) with { Endpoints = [EndpointManifest.For(lab.Lab.Pod("web-2"), IPFamily.IPv4)] };
        server.Restart(new IManifest[]
        {
            NodeManifest.For(lab.Node), ServiceCidrManifest.Lab(), Web, WebSlice(lab, "web-1"), apiService, apiSlice,
        }.SelectMany(ClusterApi.ToObjects));
        await lab.WaitForAnswerAsync("restart with a new state (web)", WebIP, "web-1");
        await lab.WaitForAnswerAsync("restart with a new state (api)", ApiIP, "web-2");

        // 7. The bearer token: every step above authenticated with the kubeconfig's token. Once the server wants
        // another one, kube-proxy's requests get 401: it retries, learns nothing, and keeps the rules it has.
        server.BearerToken = "rotated-token";
        server.DropWatches();
        var refusedAt = DateTimeOffset.UtcNow;
        lab.Api.Apply(WebSlice(lab, "web-3"));
        await WaitForRefusedAsync(lab, ResourceKind.EndpointSlices, after: refusedAt, count: 2);
        var duringRefusal = await lab.ProbeAsync(WebIP);
        Assert.True(duringRefusal.EndpointName == "web-1", $"with its requests refused, kube-proxy changed or lost the rules: {duringRefusal}");

        // The right token again: the change made meanwhile arrives.
        server.BearerToken = ApiProxyLab.Token;
        await lab.WaitForAnswerAsync("the right bearer token again", WebIP, "web-3");
    }

    /// <summary>The web Service's IPv4 slice, with one endpoint: the named pod.</summary>
    private static EndpointSliceManifest WebSlice(NetworkLab lab, string pod) =>
        EndpointSliceManifest.Of(Web, IPFamily.IPv4) with { Endpoints = [EndpointManifest.For(lab.Pod(pod), IPFamily.IPv4)] };

    private static EndpointSliceManifest WebSlice(ApiProxyLab lab, string pod) => WebSlice(lab.Lab, pod);

    private static async Task WaitForWatchAsync(ApiProxyLab lab, ResourceKind kind)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (lab.Server.OpenWatches(kind) == 0)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30),
                $"no {kind.Resource} watch reopened\n{lab.DescribeRequests()}\n{lab.KubeProxy.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private static async Task WaitUntilAsync(ApiProxyLab lab, Func<bool> condition, string failure)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30),
                $"{failure}\n{lab.DescribeRequests()}\n{lab.KubeProxy.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private static async Task WaitForRefusedAsync(ApiProxyLab lab, ResourceKind kind, DateTimeOffset after, int count)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (lab.Server.Requests.Count(r => !r.Authorized && r.Resource == kind.Resource && r.At > after) < count)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30),
                $"kube-proxy did not retry {kind.Resource} with the wrong token\n{lab.DescribeRequests()}\n{lab.KubeProxy.Output}");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
