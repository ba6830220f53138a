using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// The converters the API source applies to what it receives. Production uses <see cref="KubeObjectConverter"/>
/// (shared with the manifest source, so both accept the same objects); tests may substitute their own.
/// </summary>
internal sealed record KubeConversions(
    Func<V1Service, ConversionResult<Service>> Service,
    Func<V1EndpointSlice, ConversionResult<EndpointSlice>> EndpointSlice,
    Func<V1Node, ConversionResult<Node>> Node,
    Func<V1ServiceCIDR, ConversionResult<ServiceCidr>> ServiceCidr)
{
    public const string Origin = "api";

    public static KubeConversions Default { get; } = new(
        s => KubeObjectConverter.ToService(s, Origin),
        s => KubeObjectConverter.ToEndpointSlice(s, Origin),
        n => KubeObjectConverter.ToNode(n, Origin),
        c => KubeObjectConverter.ToServiceCidr(c, Origin));
}
