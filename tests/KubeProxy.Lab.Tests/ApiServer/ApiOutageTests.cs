using System.Net;
using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.ApiServer;

/// <summary>
/// A 30-second API outage under the real kube-proxy with 200 Services: traffic keeps flowing the whole time (the
/// rules are never flushed because the API is unreachable), and afterwards kube-proxy, whose resourceVersions have
/// meanwhile been compacted away (410), relists and applies only what changed during the outage.
/// </summary>
public sealed class ApiOutageTests(ITestOutputHelper output)
{
    private const int ServiceCount = 200;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(200);

    [RootFact]
    public async Task TrafficFlowsThroughA30SecondOutageAndOnlyTheDifferencesAreAppliedAfterIt()
    {
        await using var lab = await ApiProxyLab.StartAsync(output, l => Enumerable.Range(0, ServiceCount).SelectMany(i => Manifests(l, i, "web-1")));
        var server = lab.Server;
        var probed = IP(0);
        await lab.WaitForAnswerAsync("initial state", probed, "web-1");
        await lab.WaitForAnswerAsync("initial state", IP(ServiceCount - 1), "web-1");
        var servicesBefore = await Metric(lab, KubeProxyMetrics.ServiceChangesTotal);
        var endpointsBefore = await Metric(lab, KubeProxyMetrics.EndpointChangesTotal);
        var listsBefore = server.CountRequests(ResourceKind.Services, ApiVerb.List);

        // The outage: every list and watch connection is closed as soon as it arrives, the open watches drop.
        var outage = server.Faults.Add(Fault.CloseOnConnect().Forever());
        try
        {
            server.DropWatches();

            // Meanwhile on the server: svc-000 moves to web-2, svc-001 changes its port to 81, svc-002 is deleted;
            // then history is compacted, so kube-proxy's watches will meet 410 Gone and must relist.
            var (service1, _) = Pair(lab.Lab, 1, "web-1");
            lab.Api.Apply(Pair(lab.Lab, 0, "web-2").Slice);
            lab.Api.Apply(service1 with { Ports = [new("http", 81, TargetPort: 80)] });
            var (service2, slice2) = Pair(lab.Lab, 2, "web-1");
            lab.Api.Delete(service2, slice2);
            server.Compact();

            // Every probe during the outage must be answered, by the endpoint programmed before it.
            var failures = new List<ProbeResult>();
            var probes = 0;
            var started = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(started) < Outage)
            {
                var result = await lab.ProbeAsync(probed);
                probes++;
                if (result.Outcome != ProbeOutcome.Answered || result.EndpointName != "web-1")
                {
                    failures.Add(result);
                }

                await Task.Delay(ProbeInterval);
            }

            Assert.True(failures.Count == 0,
                $"{failures.Count} of {probes} probes during the outage were not answered by web-1: {string.Join("; ", failures.Take(5))}\n{lab.KubeProxy.Output}");
            Assert.True(server.Faults.Hits(FaultKind.CloseOnConnect) > 4, "kube-proxy did not keep trying during the outage");
        }
        finally
        {
            outage.Dispose();
        }

        // After it: the three changes arrive.
        await lab.WaitForAnswerAsync("after the outage: svc-000 moved", probed, "web-2");
        await lab.WaitForAnswerAsync("after the outage: svc-001 on port 81", IP(1), "web-1", port: 81);
        await lab.WaitForAnswerAsync("after the outage: svc-001 no longer on port 80", IP(1), endpoint: null, port: 80);
        await lab.WaitForAnswerAsync("after the outage: svc-002 deleted", IP(2), endpoint: null);
        var unchanged = await lab.ProbeAsync(IP(3));
        Assert.True(unchanged.EndpointName == "web-1", $"an unchanged Service stopped working: {unchanged}");
        Assert.True(server.CountRequests(ResourceKind.Services, ApiVerb.List) > listsBefore, "kube-proxy did not relist after the 410");

        // Only the differences were delivered: 2 Service events (svc-001 changed, svc-002 deleted), which every
        // family's tracker counts (2 families), and 2 EndpointSlice events (svc-000's changed, svc-002's deleted),
        // counted by the IPv4 tracker only. A relist that re-delivered everything would add hundreds.
        var services = await Metric(lab, KubeProxyMetrics.ServiceChangesTotal) - servicesBefore;
        var endpoints = await Metric(lab, KubeProxyMetrics.EndpointChangesTotal) - endpointsBefore;
        Assert.True(services == 4 && endpoints == 2,
            $"after relisting {ServiceCount} Services, service changes grew by {services} (want 4) and endpoint changes by {endpoints} (want 2)\n{lab.KubeProxy.Output}");
    }

    private static IPAddress IP(int i) => LabAddresses.ClusterIPV4(100 + i);

    /// <summary>Service svc-NNN (ClusterIP <see cref="IP"/>, port 80) and its IPv4 slice with one endpoint, the named pod.</summary>
    private static (ServiceManifest Service, EndpointSliceManifest Slice) Pair(NetworkLab lab, int i, string pod)
    {
        var service = new ServiceManifest($"svc-{i:000}", "outage") { ClusterIPs = [IP(i)], Ports = [new("http", 80)] };
        var slice = EndpointSliceManifest.Of(service, IPFamily.IPv4) with { Endpoints = [EndpointManifest.For(lab.Pod(pod), IPFamily.IPv4)] };
        return (service, slice);
    }

    private static IEnumerable<IManifest> Manifests(NetworkLab lab, int i, string pod)
    {
        var (service, slice) = Pair(lab, i, pod);
        return [service, slice];
    }

    private static async Task<double> Metric(ApiProxyLab lab, string name) =>
        await lab.KubeProxy.ReadMetricAsync(name) ?? throw new InvalidOperationException($"{name} is not exported");
}
