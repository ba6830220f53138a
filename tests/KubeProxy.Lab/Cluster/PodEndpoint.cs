namespace KubeProxy.Lab.Cluster;

/// <summary>A pod selected by a Service, in some <see cref="EndpointState"/>: the input of <see cref="EndpointSliceController"/>.</summary>
public sealed record PodEndpoint(LabPod Pod, EndpointState State = EndpointState.Ready)
{
    public static implicit operator PodEndpoint(LabPod pod) => new(pod);

    public override string ToString() => $"{Pod.Name} ({State})";
}
