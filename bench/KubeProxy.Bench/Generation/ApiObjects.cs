using k8s;
using k8s.Models;

namespace KubeProxy.Bench.Generation;

/// <summary>
/// The generated cluster as API objects for the fake API server: the same JSON the manifest directory gets, decoded
/// by KubernetesClient, so both ways of feeding kube-proxy see identical objects.
/// </summary>
internal static class ApiObjects
{
    public static V1Node Node() => KubernetesJson.Deserialize<V1Node>(ManifestWriter.NodeJson().ToJsonString());

    /// <summary>Every Service and its slices, in index order (slices keep the generator's order: IPv4 first).</summary>
    public static List<(V1Service Service, List<V1EndpointSlice> Slices)> Generate(ClusterShape shape) =>
        ClusterGenerator.Generate(shape)
            .Select(c => (
                KubernetesJson.Deserialize<V1Service>(ManifestWriter.ServiceJson(c.Service).ToJsonString()),
                c.Slices.Select(s => KubernetesJson.Deserialize<V1EndpointSlice>(ManifestWriter.SliceJson(s).ToJsonString())).ToList()))
            .ToList();
}
