using System.Net;
using k8s;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Lab;
using KubeProxy.Lab.Cluster;
using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;

namespace KubeProxy.E2E;

/// <summary>
/// One test's view of the shared cluster: it hands out unique Service names and addresses, creates Services with
/// the EndpointSlices the controller would write, and remembers everything it created (objects, router routes)
/// so that <see cref="CleanUpAsync"/> removes it after the test, passed or failed.
/// </summary>
public sealed class ClusterTest(ClusterLab cluster, ITestOutputHelper output)
{
    /// <summary>The namespace of every Service the suite creates.</summary>
    public const string Namespace = "e2e";

    private readonly Dictionary<string, IManifest> _created = [];
    private readonly List<IKubernetesObject<V1ObjectMeta>> _uncounted = [];
    private readonly HashSet<IPAddress> _routes = [];

    public ClusterLab Cluster { get; } = cluster;

    public ITestOutputHelper Output { get; } = output;

    public LabPod Pod(string name) => Cluster.Pod(name);

    public LabNode Node(string name) => Cluster.Node(name);

    public LabHost Client => Cluster.Client;

    public LabHost BlockedClient => Cluster.BlockedClient;

    /// <summary>A Service named <c>NAME-N</c> with fresh ClusterIPs (one per family, primary first) and the given ports.</summary>
    public ServiceManifest NewService(string name, IReadOnlyList<IPFamily> families, params ServicePortManifest[] ports)
    {
        var n = Cluster.Allocate.NextClusterIP();
        return new ServiceManifest($"{name}-{n}", Namespace)
        {
            ClusterIPs = families.Select(f => ClusterAllocator.ClusterIP(n, f)).ToList(),
            Ports = ports,
        };
    }

    public ServiceManifest NewService(string name, params ServicePortManifest[] ports) => NewService(name, [IPFamily.IPv4], ports);

    public IPAddress NewLoadBalancerIP(IPFamily family = IPFamily.IPv4) => ClusterAllocator.LoadBalancerIP(Cluster.Allocate.NextLoadBalancerIP(), family);

    public IPAddress NewExternalIP(IPFamily family = IPFamily.IPv4) => ClusterAllocator.ExternalIP(Cluster.Allocate.NextExternalIP(), family);

    public int NewNodePort() => Cluster.Allocate.NextNodePort();

    public int NewHealthCheckNodePort() => Cluster.Allocate.NextHealthCheckNodePort();

    /// <summary>Creates (or replaces) the Service and its slices for <paramref name="pods"/>; waits until every kube-proxy has them.</summary>
    public Task CreateServiceAsync(ServiceManifest service, params PodEndpoint[] pods) =>
        ApplyAsync([service, .. EndpointSliceController.SlicesFor(service, pods)]);

    /// <summary>Replaces the Service's slices with ones for <paramref name="pods"/> (a rollout step, a scale); waits for the sync.</summary>
    public Task SetEndpointsAsync(ServiceManifest service, params PodEndpoint[] pods) =>
        ApplyAsync([.. EndpointSliceController.SlicesFor(service, pods)]);

    /// <summary>Creates or replaces exactly these objects (a Service alone, say); waits until every kube-proxy has them.</summary>
    public Task ApplyAsync(params IManifest[] manifests)
    {
        foreach (var manifest in manifests)
        {
            _created[manifest.FileName] = manifest;
        }

        return Cluster.ApplyAsync(manifests);
    }

    /// <summary>
    /// Stores objects kube-proxy is expected never to see (its label selector filters them), without waiting for a
    /// sync that will not come. They are deleted after the test.
    /// </summary>
    public void ApplyIgnored(params IKubernetesObject<V1ObjectMeta>[] objects)
    {
        foreach (var obj in objects)
        {
            _uncounted.Add(obj);
            Cluster.Api.Server.Upsert(obj);
        }
    }

    /// <summary>Routes an address on the router to these nodes (ECMP for several); removed after the test.</summary>
    public Task RouteAsync(IPAddress address, params LabNode[] nodes)
    {
        _routes.Add(address);
        return Cluster.RouteAsync(address, nodes);
    }

    /// <summary>Runs a packet-flow table (every answer checked against the echo servers' replies); see <see cref="FlowTable"/>.</summary>
    public Task<IReadOnlyList<FlowResult>> FlowsAsync(params PacketFlow[] flows) => FlowTable.RunAsync(flows, Output.WriteLine);

    /// <summary>Deletes what the test created and waits until every kube-proxy has forgotten it, so the next test starts clean.</summary>
    internal async Task CleanUpAsync(bool rethrow)
    {
        try
        {
            foreach (var address in _routes)
            {
                await Cluster.RemoveRouteAsync(address);
            }

            foreach (var obj in _uncounted)
            {
                Cluster.Api.Server.Delete(obj);
            }

            var created = _created.Values.ToArray();
            if (created.Length > 0)
            {
                await Cluster.DeleteAsync(created);
            }
        }
        catch (Exception e) when (!rethrow)
        {
            Output.WriteLine($"clean-up after the failure failed too: {e}");
        }
    }
}
