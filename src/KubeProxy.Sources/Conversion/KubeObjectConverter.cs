using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Conversion;

/// <summary>
/// Turns KubernetesClient API objects into the core's typed views, validating them the way the API server would.
/// Shared by the manifest source and the Kubernetes API source so that both accept and reject the same objects.
/// A rejected object comes back with one human-readable reason; the caller logs it with the object's name.
/// </summary>
public static partial class KubeObjectConverter
{
    public static ConversionResult<Service> ToService(V1Service service, string origin) =>
        throw new NotImplementedException();

    /// <summary>Returns Ignored (not an error) for FQDN slices, slices without the service-name label and
    /// slices labelled headless.</summary>
    public static ConversionResult<EndpointSlice> ToEndpointSlice(V1EndpointSlice slice, string origin) =>
        throw new NotImplementedException();

    public static ConversionResult<Node> ToNode(V1Node node, string origin) =>
        throw new NotImplementedException();

    public static ConversionResult<ServiceCidr> ToServiceCidr(V1ServiceCIDR cidr, string origin) =>
        throw new NotImplementedException();
}
