using System.Globalization;
using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Conversion;

public static partial class KubeObjectConverter
{
    // The API server's limits for one slice.
    private const int MaxEndpoints = 1000;
    private const int MaxAddresses = 100;
    private const int MaxSlicePorts = 20000;
    private const int MaxHints = 8;

    /// <summary>Returns Ignored (not an error) for FQDN slices, slices without the service-name label and
    /// slices labelled headless.</summary>
    public static ConversionResult<EndpointSlice> ToEndpointSlice(V1EndpointSlice slice, string origin)
    {
        ArgumentNullException.ThrowIfNull(slice);
        try
        {
            return ConvertEndpointSlice(slice, origin);
        }
        catch (InvalidFieldException e)
        {
            return ConversionResult<EndpointSlice>.Invalid(e.Message);
        }
    }

    private static ConversionResult<EndpointSlice> ConvertEndpointSlice(V1EndpointSlice slice, string origin)
    {
        var metadata = slice.Metadata;
        var name = ValidName(metadata, NameRules.Dns1123Subdomain);
        var ns = ValidNamespace(metadata);
        var labels = ValidLabels(metadata.Labels);

        if (labels.ContainsKey(ProxyLabels.Headless))
            return ConversionResult<EndpointSlice>.Skip($"labelled {ProxyLabels.Headless} (a headless Service's slice)");
        if (!labels.TryGetValue(ProxyLabels.ServiceName, out var serviceName) || serviceName.Length == 0)
            return ConversionResult<EndpointSlice>.Skip($"no {ProxyLabels.ServiceName} label");
        // A label value that is not a Service name can never match a Service; upstream would cache it uselessly.
        if (NameRules.Dns1035Label(serviceName) is not null)
            return ConversionResult<EndpointSlice>.Skip($"{ProxyLabels.ServiceName} label {FieldError.Format(serviceName)} is not a Service name");

        IPFamily family;
        switch (slice.AddressType)
        {
            case null or "": throw FieldError.Required("addressType");
            case "IPv4": family = IPFamily.IPv4; break;
            case "IPv6": family = IPFamily.IPv6; break;
            case "FQDN": return ConversionResult<EndpointSlice>.Skip("addressType FQDN");
            default: throw FieldError.NotSupported("addressType", slice.AddressType, "FQDN", "IPv4", "IPv6");
        }

        return ConversionResult<EndpointSlice>.Ok(new EndpointSlice
        {
            Name = new ObjectName(ns, name),
            Service = new ObjectName(ns, serviceName),
            AddressType = family,
            Ports = ParseSlicePorts(slice.Ports),
            Endpoints = ParseEndpoints(slice.Endpoints, family),
            LastChangeTriggerTime = ParseTriggerTime(metadata.Annotations),
            Origin = origin,
        });
    }

    private static EquatableArray<EndpointPort> ParseSlicePorts(IList<Discoveryv1EndpointPort>? ports)
    {
        if (ports is null || ports.Count == 0) return EquatableArray<EndpointPort>.Empty;
        if (ports.Count > MaxSlicePorts) throw FieldError.TooMany("ports", ports.Count, MaxSlicePorts);
        var result = new EndpointPort[ports.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var path = $"ports[{i}]";
            var port = ports[i] ?? throw FieldError.Required(path);
            var name = port.Name ?? "";
            if (name.Length > 0 && NameRules.Dns1123Label(name) is { } detail) throw FieldError.Invalid(path + ".name", name, detail);
            // Unnamed counts as a name: two unnamed ports in one slice are a duplicate.
            if (!names.Add(name)) throw FieldError.Duplicate(path + ".name", name);
            if (!ProtocolExtensions.TryParse(port.Protocol, out var protocol))
                throw FieldError.NotSupported(path + ".protocol", port.Protocol, "SCTP", "TCP", "UDP");
            // No number (or 0) is legal: the controller writes it when a named targetPort matches no container
            // port. Upstream ignores such ports, so they are kept as null rather than rejected.
            int? number = port.Port is null or 0 ? null : port.Port;
            if (number is { } n && NameRules.PortNumber(n) is { } portError) throw FieldError.Invalid(path + ".port", n, portError);
            result[i] = new EndpointPort(Shared.Get(name), protocol, number);
        }
        return result;
    }

    private static EquatableArray<Endpoint> ParseEndpoints(IList<V1Endpoint>? endpoints, IPFamily family)
    {
        if (endpoints is null || endpoints.Count == 0) return EquatableArray<Endpoint>.Empty;
        if (endpoints.Count > MaxEndpoints) throw FieldError.TooMany("endpoints", endpoints.Count, MaxEndpoints);
        var result = new Endpoint[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            var path = $"endpoints[{i}]";
            var endpoint = endpoints[i] ?? throw FieldError.Required(path);
            result[i] = new Endpoint
            {
                Addresses = ParseEndpointAddresses(endpoint.Addresses, family, path + ".addresses"),
                Ready = endpoint.Conditions?.Ready,
                Serving = endpoint.Conditions?.Serving,
                Terminating = endpoint.Conditions?.Terminating,
                NodeName = ParseOptionalNodeName(endpoint.NodeName, path + ".nodeName"),
                Zone = ParseZone(endpoint.Zone),
                ZoneHints = ParseZoneHints(endpoint.Hints?.ForZones, path + ".hints.forZones"),
                NodeHints = ParseNodeHints(endpoint.Hints?.ForNodes, path + ".hints.forNodes"),
            };
            if (!string.IsNullOrEmpty(endpoint.Hostname) && NameRules.Dns1123Label(endpoint.Hostname) is { } hostnameError)
                throw FieldError.Invalid(path + ".hostname", endpoint.Hostname, hostnameError);
        }
        return result;
    }

    private static EquatableArray<IPAddress> ParseEndpointAddresses(IList<string>? addresses, IPFamily family, string path)
    {
        if (addresses is null || addresses.Count == 0) throw FieldError.Required(path, "must contain at least 1 address");
        if (addresses.Count > MaxAddresses) throw FieldError.TooMany(path, addresses.Count, MaxAddresses);
        var result = new IPAddress[addresses.Count];
        for (var i = 0; i < addresses.Count; i++)
        {
            var addressPath = $"{path}[{i}]";
            var text = addresses[i];
            if (!IPText.TryParseAddress(text, out var ip) || ip.Family() != family)
                throw FieldError.Invalid(addressPath, text ?? "", $"must be a valid {family.Label()} address");
            if (IPText.SpecialAddressReason(ip, text!) is { } reason) throw FieldError.Invalid(addressPath, text, reason);
            result[i] = ip;
        }
        return result;
    }

    private static string? ParseOptionalNodeName(string? nodeName, string path)
    {
        if (string.IsNullOrEmpty(nodeName)) return null;
        if (NameRules.Dns1123Subdomain(nodeName) is { } detail) throw FieldError.Invalid(path, nodeName, detail);
        return Shared.Get(nodeName);
    }

    /// <summary>
    /// The API server does not check endpoint zones, so an odd one is not an error; but a zone that is not a valid
    /// label value can never equal a Node's zone label, so it is dropped instead of carried into the model.
    /// </summary>
    private static string? ParseZone(string? zone) =>
        string.IsNullOrEmpty(zone) || NameRules.LabelValue(zone) is not null ? null : Shared.Get(zone);

    private static EquatableArray<string> ParseZoneHints(IList<V1ForZone>? hints, string path) =>
        ParseHints(hints?.Select(h => h?.Name ?? "").ToList(), path, NameRules.LabelValue);

    private static EquatableArray<string> ParseNodeHints(IList<V1ForNode>? hints, string path) =>
        ParseHints(hints?.Select(h => h?.Name ?? "").ToList(), path, NameRules.Dns1123Subdomain);

    private static EquatableArray<string> ParseHints(List<string>? names, string path, Func<string, string?> rule)
    {
        if (names is null || names.Count == 0) return EquatableArray<string>.Empty;
        if (names.Count > MaxHints) throw FieldError.TooMany(path, names.Count, MaxHints);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            var namePath = $"{path}[{i}].name";
            if (!seen.Add(names[i])) throw FieldError.Duplicate(namePath, names[i]);
            if (rule(names[i]) is { } detail) throw FieldError.Invalid(namePath, names[i], detail);
            names[i] = Shared.Get(names[i]);
        }
        return names.ToEquatableArray();
    }

    /// <summary>
    /// RFC 3339 (Go's time.RFC3339Nano). A malformed value is not a reason to drop the slice: upstream logs it and
    /// goes on without a trigger time, and so do we (it only feeds a latency metric).
    /// </summary>
    internal static DateTimeOffset? ParseTriggerTime(IDictionary<string, string>? annotations)
    {
        if (annotations is null || !annotations.TryGetValue(ProxyLabels.LastChangeTriggerTime, out var text) || string.IsNullOrEmpty(text))
            return null;
        return TryParseRfc3339(text, out var time) ? time : null;
    }

    internal static bool TryParseRfc3339(string text, out DateTimeOffset time)
    {
        // .NET keeps 7 fractional digits; Go writes up to 9, so cut the extra (sub-100 ns) digits first.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
        }
        return DateTimeOffset.TryParseExact(text, Rfc3339Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static readonly string[] Rfc3339Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];
}
