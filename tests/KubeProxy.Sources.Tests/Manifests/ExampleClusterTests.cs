using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Manifests;

namespace KubeProxy.Sources.Tests.Manifests;

/// <summary>The bundled example cluster (examples/cluster) is the default demo: it must load cleanly.</summary>
public class ExampleClusterTests
{
    private static string ExampleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KubeProxy.slnx"))) return Path.Combine(dir.FullName, "examples", "cluster");
        }
        throw new DirectoryNotFoundException("repository root (KubeProxy.slnx) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task Example_cluster_loads_without_warnings()
    {
        var logger = new RecordingLogger();
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var source = new ManifestSource(ExampleDirectory(), "node-1", logger, TimeProvider.System);
        var run = source.RunAsync(sink, stop.Token);
        await ManifestTestDirectory.WaitUntilAsync(() => sink.Synced || run.IsCompleted, "example cluster sync");
        await stop.CancelAsync();
        await run;

        Assert.Empty(logger.Warnings);

        var services = sink.Services;
        Assert.Equal(
            ["dns", "empty", "external-name", "headless", "web", "web-dual", "web-external", "web-lb", "web-local", "web-nodeport", "web-sticky"],
            services.Keys.Select(k => k.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.All(services.Keys, k => Assert.Equal("default", k.Namespace));
        Assert.Equal(10, sink.Slices.Count);
        Assert.DoesNotContain(sink.Slices.Values, s => s.Service.Name is "ignored" or "headless");

        var web = services[new ObjectName("default", "web")];
        Assert.Equal([new ServicePort("http", Protocol.TCP, 80)], web.Ports.ToArray());
        var lb = services[new ObjectName("default", "web-lb")];
        Assert.Equal(30081, lb.Ports[0].NodePort);
        Assert.Equal(IPAddress.Parse("198.19.200.10"), lb.LoadBalancerIngress[0].IP);
        Assert.Equal(IPNetwork.Parse("198.19.128.0/24"), lb.LoadBalancerSourceRanges[0]);
        var local = services[new ObjectName("default", "web-local")];
        Assert.Equal((TrafficPolicy.Local, 32000), (local.ExternalTrafficPolicy, local.HealthCheckNodePort));
        Assert.Equal(60, services[new ObjectName("default", "web-sticky")].AffinityTimeoutSeconds);
        Assert.Equal(2, services[new ObjectName("default", "web-dual")].ClusterIPs.Count);
        Assert.Equal(
            [new ServicePort("dns", Protocol.UDP, 53), new ServicePort("dns-tcp", Protocol.TCP, 53)],
            services[new ObjectName("default", "dns")].Ports.ToArray());
        Assert.True(services[new ObjectName("default", "headless")].IsHeadless);
        Assert.Equal(ServiceType.ExternalName, services[new ObjectName("default", "external-name")].Type);
        Assert.Empty(sink.Slices[new ObjectName("default", "empty-z4c8f")].Endpoints);
        Assert.Equal(IPFamily.IPv6, sink.Slices[new ObjectName("default", "web-dual-r9w3j")].AddressType);

        var node = sink.Node!;
        Assert.Equal("node-1", node.Name);
        Assert.Equal([IPAddress.Parse("198.18.0.10"), IPAddress.Parse("fd00:198:18::10")], node.Addresses.ToArray());
        Assert.Equal("zone-a", node.Zone);
        Assert.Equal(2, node.PodCIDRs.Count);

        var cidr = Assert.Single(sink.Cidrs!);
        Assert.Equal("kubernetes", cidr.Name);
        Assert.Equal([IPNetwork.Parse("198.19.0.0/20"), IPNetwork.Parse("fd00:198:19::/108")], cidr.Cidrs.ToArray());
    }
}
