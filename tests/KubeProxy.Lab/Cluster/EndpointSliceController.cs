using System.Net.Sockets;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;

namespace KubeProxy.Lab.Cluster;

/// <summary>
/// What the EndpointSlice controller would write for a Service and the pods it selects: one slice per IP family
/// of the Service, each endpoint with all three conditions, its nodeName and its node's zone, and the Service's
/// ports by name with the target port. The lab has no pod selector: the test says which pods the Service selects.
/// </summary>
public static class EndpointSliceController
{
    /// <summary>The slices of <paramref name="service"/> (one per family of its ClusterIPs, both for a headless one).</summary>
    public static IReadOnlyList<EndpointSliceManifest> SlicesFor(ServiceManifest service, IEnumerable<PodEndpoint> pods)
    {
        var list = pods.ToList();
        return FamiliesOf(service)
            .Select(family => EndpointSliceManifest.Of(service, family) with { Endpoints = list.Select(p => Endpoint(p, family)).ToList() })
            .ToList();
    }

    public static IReadOnlyList<EndpointSliceManifest> SlicesFor(ServiceManifest service, params PodEndpoint[] pods) =>
        SlicesFor(service, pods.AsEnumerable());

    /// <summary>One endpoint of a pod, with the conditions the controller derives from the pod's state.</summary>
    public static EndpointManifest Endpoint(PodEndpoint endpoint, IPFamily family)
    {
        var (ready, serving, terminating) = endpoint.State switch
        {
            EndpointState.Ready => (true, true, false),
            EndpointState.NotReady => (false, false, false),
            EndpointState.ServingTerminating => (false, true, true),
            EndpointState.NotServingTerminating => (false, false, true),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint.State, "unknown endpoint state"),
        };
        return EndpointManifest.For(endpoint.Pod, family, ready, serving, terminating) with { Zone = ClusterLab.ZoneOf(endpoint.Pod.Node) };
    }

    /// <summary>The IP families of a Service, primary first; a Service without ClusterIPs (headless) gets both.</summary>
    public static IReadOnlyList<IPFamily> FamiliesOf(ServiceManifest service) =>
        service.ClusterIPs.Count == 0
            ? [IPFamily.IPv4, IPFamily.IPv6]
            : service.ClusterIPs.Select(ip => ip.AddressFamily == AddressFamily.InterNetworkV6 ? IPFamily.IPv6 : IPFamily.IPv4).Distinct().ToList();
}
