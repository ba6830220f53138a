using System.Net;
using KubeProxy.Bench.Generation;
using KubeProxy.Core.Model;

namespace KubeProxy.Bench.Tests;

public class ClusterGeneratorTests
{
    [Fact]
    public void Namespaces_and_node_names_are_shared_like_the_api_sources()
    {
        var cluster = ClusterGenerator.Generate(new ClusterShape(300, 2)).ToList();
        Assert.Same(cluster[0].Service.Name.Namespace, cluster[100].Service.Name.Namespace);
        var nodes = cluster.SelectMany(c => c.Slices.SelectMany(s => s.Endpoints)).Select(e => e.NodeName!).ToList();
        var first = nodes.First(n => n == nodes[0]);
        Assert.All(nodes.Where(n => n == nodes[0]), n => Assert.Same(first, n));
    }

    [Fact]
    public void The_memory_detail_line_names_each_part()
    {
        var line = MemoryDetail.Describe("test");
        Assert.StartsWith("memory test: live heap ", line, StringComparison.Ordinal);
        Assert.Contains("GC committed ", line, StringComparison.Ordinal);
        Assert.Contains("anon ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Generates_the_requested_shape_with_a_mix_of_kinds_inside_the_benchmark_ranges()
    {
        var shape = new ClusterShape(2000, 3);
        var cluster = ClusterGenerator.Generate(shape).ToList();

        Assert.Equal(2000, cluster.Count);
        Assert.Equal(2000, cluster.Select(c => c.Service.Name).Distinct().Count());
        Assert.All(cluster, c => Assert.All(c.Slices, s => Assert.Equal(3, s.Endpoints.Count)));
        Assert.Contains(cluster, c => c.Service.Type == ServiceType.NodePort);
        Assert.Contains(cluster, c => c.Service.Type == ServiceType.LoadBalancer);
        Assert.Contains(cluster, c => c.Service.SessionAffinity == SessionAffinity.ClientIP);
        Assert.Contains(cluster, c => c.Service.ExternalTrafficPolicy == TrafficPolicy.Local);
        Assert.Contains(cluster, c => c.Service.ClusterIPs.Count == 2 && c.Slices.Count == 2);
        var addresses = cluster.SelectMany(c => c.Service.ClusterIPs.Concat(c.Service.LoadBalancerIngress.Select(i => i.IP))
            .Concat(c.Slices.SelectMany(s => s.Endpoints.SelectMany(e => e.Addresses))));
        Assert.All(addresses, ip => Assert.True(
            IPNetwork.Parse("198.18.0.0/15").Contains(ip) || IPNetwork.Parse("fd00::/8").Contains(ip), $"{ip} outside the test ranges"));
        var nodePorts = cluster.SelectMany(c => c.Service.Ports.Select(p => p.NodePort).Append(c.Service.HealthCheckNodePort)).Where(p => p != 0).ToList();
        Assert.Equal(nodePorts.Count, nodePorts.Distinct().Count());
        Assert.All(nodePorts, p => Assert.InRange(p, 30000, 32767));
    }

    [Fact]
    public void Is_deterministic_and_one_endpoint_change_moves_exactly_one_endpoint()
    {
        var shape = new ClusterShape(50, 4);
        var first = ClusterGenerator.Generate(shape).ToList();
        var second = ClusterGenerator.Generate(shape).ToList();
        Assert.Equal(first.Select(c => c.Service), second.Select(c => c.Service));

        var (service, slices) = first[7];
        var changed = ClusterGenerator.WithOneEndpointChanged(shape, service, 7, generation: 1);
        var before = slices[0].Endpoints.Select(e => e.Addresses[0]).ToList();
        var after = changed[0].Endpoints.Select(e => e.Addresses[0]).ToList();
        Assert.Equal(1, before.Zip(after).Count(p => !p.First.Equals(p.Second)));
    }
}
