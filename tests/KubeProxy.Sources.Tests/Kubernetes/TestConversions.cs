using System.Collections.Immutable;
using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;
using KubeProxy.Sources.Kubernetes;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>
/// Small converters for reflector tests, so these tests exercise list/watch and not validation (which the shared
/// KubeObjectConverter owns and tests). An annotation <c>test/invalid: reason</c> makes an object invalid, and a
/// slice without the service-name label is skipped, to exercise both paths.
/// </summary>
internal static class TestConversions
{
    public const string InvalidAnnotation = "test/invalid";

    public static KubeConversions Instance { get; } = new(Service, EndpointSlice, Node, ServiceCidr);

    public static ConversionResult<Service> Service(V1Service s)
    {
        if (InvalidReason(s.Metadata) is { } reason) return ConversionResult<Service>.Invalid(reason);
        var ips = (s.Spec?.ClusterIPs ?? (s.Spec?.ClusterIP is { } one ? [one] : []))
            .Where(ip => ip != "None").Select(IPAddress.Parse).ToEquatableArray();
        return ConversionResult<Service>.Ok(new Service
        {
            Name = new ObjectName(s.Metadata.NamespaceProperty, s.Metadata.Name),
            ClusterIPs = ips,
            IsHeadless = s.Spec?.ClusterIP == "None",
            Ports = (s.Spec?.Ports ?? []).Select(p => new ServicePort(p.Name ?? "", Protocol.TCP, p.Port, p.NodePort ?? 0)).ToEquatableArray(),
            Labels = s.Metadata.Labels?.ToImmutableSortedDictionary() ?? ImmutableSortedDictionary<string, string>.Empty,
            Origin = KubeConversions.Origin,
        });
    }

    public static ConversionResult<EndpointSlice> EndpointSlice(V1EndpointSlice s)
    {
        if (InvalidReason(s.Metadata) is { } reason) return ConversionResult<EndpointSlice>.Invalid(reason);
        if (s.Metadata.Labels?.TryGetValue(ProxyLabels.ServiceName, out var service) != true)
        {
            return ConversionResult<EndpointSlice>.Skip("no service-name label");
        }
        return ConversionResult<EndpointSlice>.Ok(new EndpointSlice
        {
            Name = new ObjectName(s.Metadata.NamespaceProperty, s.Metadata.Name),
            Service = new ObjectName(s.Metadata.NamespaceProperty, service!),
            AddressType = s.AddressType == "IPv6" ? IPFamily.IPv6 : IPFamily.IPv4,
            Ports = (s.Ports ?? []).Select(p => new EndpointPort(p.Name ?? "", Protocol.TCP, p.Port)).ToEquatableArray(),
            Endpoints = (s.Endpoints ?? []).Select(e => new Endpoint
            {
                Addresses = e.Addresses.Select(IPAddress.Parse).ToEquatableArray(),
                Ready = e.Conditions?.Ready,
                NodeName = e.NodeName,
            }).ToEquatableArray(),
            Origin = KubeConversions.Origin,
        });
    }

    public static ConversionResult<Node> Node(V1Node n) =>
        InvalidReason(n.Metadata) is { } reason
            ? ConversionResult<Node>.Invalid(reason)
            : ConversionResult<Node>.Ok(new Node
            {
                Name = n.Metadata.Name,
                Addresses = (n.Status?.Addresses ?? []).Where(a => a.Type == "InternalIP").Select(a => IPAddress.Parse(a.Address)).ToEquatableArray(),
                Labels = n.Metadata.Labels?.ToImmutableSortedDictionary() ?? ImmutableSortedDictionary<string, string>.Empty,
            });

    public static ConversionResult<ServiceCidr> ServiceCidr(V1ServiceCIDR c) =>
        ConversionResult<ServiceCidr>.Ok(new ServiceCidr(c.Metadata.Name, (c.Spec?.Cidrs ?? []).Select(IPNetwork.Parse).ToEquatableArray()));

    private static string? InvalidReason(V1ObjectMeta metadata) =>
        metadata.Annotations?.TryGetValue(InvalidAnnotation, out var reason) == true ? reason : null;
}
