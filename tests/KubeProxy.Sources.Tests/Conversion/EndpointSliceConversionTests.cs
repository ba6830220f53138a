using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;

namespace KubeProxy.Sources.Tests.Conversion;

public class EndpointSliceConversionTests
{
    private static V1EndpointSlice Slice() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "web-abc12",
            NamespaceProperty = "shop",
            Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" },
            Annotations = new Dictionary<string, string> { ["endpoints.kubernetes.io/last-change-trigger-time"] = "2025-03-04T05:06:07.123456789Z" },
        },
        AddressType = "IPv4",
        Ports =
        [
            new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" },
            new Discoveryv1EndpointPort { Name = "dns", Port = 5353, Protocol = "UDP" },
        ],
        Endpoints =
        [
            new V1Endpoint
            {
                Addresses = ["198.18.64.11"],
                Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
                NodeName = "node-1",
                Zone = "zone-a",
                Hostname = "web-1",
                Hints = new V1EndpointHints { ForZones = [new V1ForZone { Name = "zone-a" }], ForNodes = [new V1ForNode { Name = "node-1" }] },
            },
            new V1Endpoint { Addresses = ["198.18.64.12"] },
        ],
    };

    private static EndpointSlice Convert(V1EndpointSlice slice)
    {
        var result = KubeObjectConverter.ToEndpointSlice(slice, "slices.yaml");
        Assert.True(result.IsOk, result.Error);
        return result.Value!;
    }

    [Fact]
    public void Repeated_names_from_separate_objects_share_one_string()
    {
        // Each object from the API server carries its own copies; the model should hold one.
        var first = Convert(WithFreshStrings(Slice()));
        var second = Convert(WithFreshStrings(Slice()));
        Assert.NotSame(WithFreshStrings(Slice()).Metadata.NamespaceProperty, WithFreshStrings(Slice()).Metadata.NamespaceProperty);
        Assert.Same(first.Name.Namespace, second.Name.Namespace);
        Assert.Same(first.Ports[0].Name, second.Ports[0].Name);
        Assert.Same(first.Endpoints[0].NodeName, second.Endpoints[0].NodeName);
        Assert.Same(first.Endpoints[0].Zone, second.Endpoints[0].Zone);
        Assert.Same(first.Endpoints[0].ZoneHints[0], second.Endpoints[0].ZoneHints[0]);
        Assert.Same(first.Endpoints[0].NodeName, first.Endpoints[0].NodeHints[0]);
    }

    /// <summary>The slice with its own copy of every name, as a deserialised API object has (literals are interned).</summary>
    private static V1EndpointSlice WithFreshStrings(V1EndpointSlice slice)
    {
        slice.Metadata.NamespaceProperty = new string(slice.Metadata.NamespaceProperty);
        foreach (var port in slice.Ports) port.Name = new string(port.Name);
        var endpoint = slice.Endpoints[0];
        endpoint.NodeName = new string(endpoint.NodeName);
        endpoint.Zone = new string(endpoint.Zone);
        endpoint.Hints.ForZones[0].Name = new string(endpoint.Hints.ForZones[0].Name);
        endpoint.Hints.ForNodes[0].Name = new string(endpoint.Hints.ForNodes[0].Name);
        return slice;
    }

    private static void AssertInvalid(V1EndpointSlice slice, string expected)
    {
        var result = KubeObjectConverter.ToEndpointSlice(slice, "x");
        Assert.False(result.IsOk);
        Assert.False(result.Ignored, "expected an error, got a skip: " + result.Error);
        Assert.Equal(expected, result.Error);
    }

    private static void AssertSkipped(V1EndpointSlice slice, string reasonFragment)
    {
        var result = KubeObjectConverter.ToEndpointSlice(slice, "x");
        Assert.False(result.IsOk);
        Assert.True(result.Ignored, "expected a skip, got: " + result.Error);
        Assert.Contains(reasonFragment, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Slice_maps_every_field()
    {
        var slice = Convert(Slice());

        Assert.Equal(new ObjectName("shop", "web-abc12"), slice.Name);
        Assert.Equal(new ObjectName("shop", "web"), slice.Service);
        Assert.Equal(IPFamily.IPv4, slice.AddressType);
        Assert.Equal([new EndpointPort("http", Protocol.TCP, 8080), new EndpointPort("dns", Protocol.UDP, 5353)], slice.Ports.ToArray());
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(1234567), slice.LastChangeTriggerTime);
        Assert.Equal("slices.yaml", slice.Origin);

        var first = slice.Endpoints[0];
        Assert.Equal([IPAddress.Parse("198.18.64.11")], first.Addresses.ToArray());
        Assert.True(first.Ready);
        Assert.True(first.Serving);
        Assert.False(first.Terminating);
        Assert.Equal("node-1", first.NodeName);
        Assert.Equal("zone-a", first.Zone);
        Assert.Equal(["zone-a"], first.ZoneHints.ToArray());
        Assert.Equal(["node-1"], first.NodeHints.ToArray());
    }

    [Fact]
    public void Missing_conditions_stay_unknown_and_missing_protocol_is_TCP()
    {
        var input = Slice();
        input.Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }];
        var second = Convert(input);
        var endpoint = second.Endpoints[1];
        Assert.Null(endpoint.Ready);
        Assert.Null(endpoint.Serving);
        Assert.Null(endpoint.Terminating);
        Assert.Null(endpoint.NodeName);
        Assert.Null(endpoint.Zone);
        Assert.False(endpoint.HasZoneHints);
        Assert.Equal(Protocol.TCP, second.Ports[0].Protocol);
    }

    [Fact]
    public void Port_without_number_is_kept_as_null()
    {
        var input = Slice();
        input.Ports = [new Discoveryv1EndpointPort { Name = "http", Protocol = "TCP" }, new Discoveryv1EndpointPort { Name = "zero", Port = 0, Protocol = "TCP" }];
        Assert.Equal([new EndpointPort("http", Protocol.TCP, null), new EndpointPort("zero", Protocol.TCP, null)], Convert(input).Ports.ToArray());
    }

    [Fact]
    public void Same_address_in_two_endpoints_is_accepted()
    {
        var input = Slice();
        input.Endpoints[1].Addresses = ["198.18.64.11"];
        Assert.Equal(2, Convert(input).Endpoints.Count);
    }

    [Fact]
    public void IPv6_slice()
    {
        var input = Slice();
        input.AddressType = "IPv6";
        input.Endpoints = [new V1Endpoint { Addresses = ["fd00:198:18:64::11"] }];
        var slice = Convert(input);
        Assert.Equal(IPFamily.IPv6, slice.AddressType);
        Assert.Equal(IPAddress.Parse("fd00:198:18:64::11"), slice.Endpoints[0].Addresses[0]);
    }

    [Fact]
    public void Malformed_trigger_time_is_ignored_not_an_error()
    {
        var input = Slice();
        input.Metadata.Annotations["endpoints.kubernetes.io/last-change-trigger-time"] = "yesterday";
        Assert.Null(Convert(input).LastChangeTriggerTime);
    }

    [Theory]
    [InlineData("2025-03-04T05:06:07Z", 0)]
    [InlineData("2025-03-04T07:06:07+02:00", 0)]
    [InlineData("2025-03-04T05:06:07.5Z", 5_000_000)]
    public void Trigger_time_is_RFC_3339(string text, long extraTicks)
    {
        Assert.True(KubeObjectConverter.TryParseRfc3339(text, out var time));
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero).AddTicks(extraTicks), time);
    }

    [Fact]
    public void Zone_that_is_not_a_label_value_is_dropped()
    {
        var input = Slice();
        input.Endpoints[0].Zone = "zone a";
        Assert.Null(Convert(input).Endpoints[0].Zone);
    }

    [Fact]
    public void FQDN_slice_is_skipped()
    {
        var input = Slice();
        input.AddressType = "FQDN";
        AssertSkipped(input, "FQDN");
    }

    [Fact]
    public void Slice_without_service_name_label_is_skipped()
    {
        var input = Slice();
        input.Metadata.Labels.Clear();
        AssertSkipped(input, "kubernetes.io/service-name");
    }

    [Fact]
    public void Slice_of_headless_service_is_skipped()
    {
        var input = Slice();
        input.Metadata.Labels["service.kubernetes.io/headless"] = "";
        AssertSkipped(input, "headless");
    }

    [Fact]
    public void Slice_whose_service_name_cannot_be_a_Service_is_skipped()
    {
        var input = Slice();
        input.Metadata.Labels["kubernetes.io/service-name"] = "Web_1";
        AssertSkipped(input, "is not a Service name");
    }

    public static TheoryData<Action<V1EndpointSlice>, string> Rejections => new()
    {
        { s => s.Metadata.Name = "web_abc", "metadata.name: Invalid value: \"web_abc\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')" },
        { s => s.AddressType = null, "addressType: Required value" },
        { s => s.AddressType = "IP", "addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"" },
        { s => s.Endpoints[0].Addresses = [], "endpoints[0].addresses: Required value: must contain at least 1 address" },
        { s => s.Endpoints[1].Addresses = ["fd00::1"], "endpoints[1].addresses[0]: Invalid value: \"fd00::1\": must be a valid IPv4 address" },
        { s => s.Endpoints[1].Addresses = ["198.18.64.256"], "endpoints[1].addresses[0]: Invalid value: \"198.18.64.256\": must be a valid IPv4 address" },
        { s => s.Endpoints[1].Addresses = ["127.0.0.1"], "endpoints[1].addresses[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)" },
        { s => s.Endpoints[1].Addresses = ["224.0.0.5"], "endpoints[1].addresses[0]: Invalid value: \"224.0.0.5\": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)" },
        { s => s.Endpoints[1].NodeName = "Node 1", "endpoints[1].nodeName: Invalid value: \"Node 1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')" },
        { s => s.Endpoints[1].Hostname = "web.1", "endpoints[1].hostname: Invalid value: \"web.1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')" },
        { s => s.Endpoints[0].Hints.ForZones.Add(new V1ForZone { Name = "zone-a" }), "endpoints[0].hints.forZones[1].name: Duplicate value: \"zone-a\"" },
        { s => s.Endpoints[0].Hints.ForZones[0].Name = "zone a", "endpoints[0].hints.forZones[0].name: Invalid value: \"zone a\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')" },
        { s => s.Endpoints[0].Hints.ForNodes[0].Name = "Node-1", "endpoints[0].hints.forNodes[0].name: Invalid value: \"Node-1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')" },
        { s => s.Endpoints[0].Hints.ForZones = Enumerable.Range(0, 9).Select(i => new V1ForZone { Name = $"z{i}" }).ToList(), "endpoints[0].hints.forZones: Too many: 9: must have at most 8 items" },
        { s => s.Ports[1].Port = 70000, "ports[1].port: Invalid value: 70000: must be between 1 and 65535" },
        { s => s.Ports[1].Protocol = "ICMP", "ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"" },
        { s => s.Ports[1].Name = "http", "ports[1].name: Duplicate value: \"http\"" },
        { s => s.Ports[1].Name = "DNS", "ports[1].name: Invalid value: \"DNS\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')" },
        { s => { s.Ports[0].Name = null; s.Ports[1].Name = ""; }, "ports[1].name: Duplicate value: \"\"" },
        { s => s.Endpoints = Enumerable.Range(0, 1001).Select(_ => new V1Endpoint { Addresses = ["198.18.64.1"] }).ToList(), "endpoints: Too many: 1001: must have at most 1000 items" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Validation_rules(Action<V1EndpointSlice> change, string expected)
    {
        var input = Slice();
        change(input);
        AssertInvalid(input, expected);
    }
}
