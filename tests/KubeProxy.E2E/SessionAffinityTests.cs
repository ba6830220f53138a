using KubeProxy.Lab;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.E2E;

/// <summary>ClientIP session affinity (upstream service.go "should have session affinity work ..." and "... timeout work").</summary>
[Collection(ClusterCollection.Name)]
public sealed class SessionAffinityTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int TimeoutSeconds = 2;

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task SameBackendAcrossRequestsThenAnotherAfterTheTimeout(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        var svc = t.NewService("affinity", new ServicePortManifest("http", 80, TargetPort: 8080)) with { SessionAffinityTimeoutSeconds = TimeoutSeconds };
        // Four endpoints on three nodes: a fresh choice repeats the old one with probability 1/4.
        await t.CreateServiceAsync(svc, t.Pod("web-1"), t.Pod("web-3"), t.Pod("web-4"), t.Pod("web-6"));
        var ip = svc.ClusterIPs[0];

        foreach (var client in new LabHost[] { t.Client, t.Pod("web-2"), t.Pod("web-5") })
        {
            var first = await AnsweredAsync(client, ip);
            for (var i = 0; i < 10; i++)
            {
                var next = await AnsweredAsync(client, ip);
                Assert.True(next.EndpointName == first.EndpointName, $"{client.Name}: request {i + 2} went to {next.EndpointName}, the first to {first.EndpointName}");
            }
        }

        // After timeoutSeconds without traffic the affinity is gone and a new connection chooses again. Each round
        // waits the timeout out (the behaviour under test, not a synchronisation); 8 rounds all landing on the same
        // endpoint by chance has probability 4^-8.
        var pinned = (await AnsweredAsync(t.Client, ip)).EndpointName;
        var seen = new List<string?>();
        for (var round = 0; round < 8 && seen.All(s => s == pinned); round++)
        {
            await Task.Delay(TimeSpan.FromSeconds(TimeoutSeconds + 1));
            seen.Add((await AnsweredAsync(t.Client, ip)).EndpointName);
        }

        t.Output.WriteLine($"pinned to {pinned}; after each timeout: {string.Join(", ", seen)}");
        Assert.Contains(seen, s => s != pinned);
    });

    private static async Task<ProbeResult> AnsweredAsync(LabHost from, System.Net.IPAddress ip)
    {
        var result = await from.ProbeAsync(ip, 80);
        Assert.True(result.Outcome == ProbeOutcome.Answered, $"{from.Name}: {result}");
        return result;
    }
}
