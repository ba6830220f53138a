using System.Net;

namespace KubeProxy.Lab.Manifests;

/// <summary>
/// One endpoint of an EndpointSlice. Conditions follow the API: ready, serving, terminating (null leaves
/// the field out, which the API reads as ready/serving true and terminating false).
/// </summary>
public sealed record EndpointManifest(IPAddress Address, string? NodeName = null, bool? Ready = true, bool? Serving = null, bool? Terminating = null)
{
    /// <summary>A pod of the lab as an endpoint: its address of the family and its node.</summary>
    public static EndpointManifest For(LabPod pod, Core.Model.IPFamily family, bool? ready = true, bool? serving = null, bool? terminating = null) =>
        new(pod.Address(family), pod.Node.Name, ready, serving, terminating)
        {
            TargetPodName = pod.Name,
        };

    /// <summary>The endpoint's zone (<c>topology.kubernetes.io/zone</c> of its node), as the EndpointSlice controller fills it; null leaves it out.</summary>
    public string? Zone { get; init; }

    /// <summary>Written as targetRef (kind Pod), for readable manifests.</summary>
    public string? TargetPodName { get; init; }

    /// <summary>Shorthand for a terminating endpoint that still serves (the graceful-shutdown window).</summary>
    public EndpointManifest ServingTerminating() => this with { Ready = false, Serving = true, Terminating = true };

    /// <summary>Shorthand for a terminating endpoint that no longer serves.</summary>
    public EndpointManifest NotServingTerminating() => this with { Ready = false, Serving = false, Terminating = true };
}
