using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Conversion;

public static partial class KubeObjectConverter
{
    /// <summary>The API server refuses this port on LoadBalancer Services (cloud firewalls would open it to kubelet).</summary>
    private const int KubeletPort = 10250;
    private const int DefaultAffinityTimeoutSeconds = 10800;
    private const int MaxAffinityTimeoutSeconds = 86400;
    private const string ClusterIPNone = "None";

    public static ConversionResult<Service> ToService(V1Service service, string origin)
    {
        ArgumentNullException.ThrowIfNull(service);
        try
        {
            return ConversionResult<Service>.Ok(ConvertService(service, origin));
        }
        catch (InvalidFieldException e)
        {
            return ConversionResult<Service>.Invalid(e.Message);
        }
    }

    private static Service ConvertService(V1Service service, string origin)
    {
        var metadata = service.Metadata;
        var name = ValidName(metadata, NameRules.Dns1035Label);
        var ns = ValidNamespace(metadata);
        var labels = ValidLabels(metadata.Labels);
        var spec = service.Spec ?? new V1ServiceSpec();

        var type = ParseServiceType(spec.Type);
        var (clusterIPs, headless) = type == ServiceType.ExternalName
            ? ValidateExternalNameService(spec)
            : ParseClusterIPs(spec, type);
        var ports = ParseServicePorts(spec.Ports, type, headless);
        var (affinity, affinityTimeout) = ParseSessionAffinity(spec);

        return new Service
        {
            Name = new ObjectName(ns, name),
            Type = type,
            ClusterIPs = clusterIPs,
            IsHeadless = headless,
            Ports = ports,
            ExternalIPs = ParseExternalIPs(spec.ExternalIPs),
            LoadBalancerIngress = ParseLoadBalancerIngress(service.Status?.LoadBalancer?.Ingress),
            LoadBalancerSourceRanges = ParseSourceRanges(spec.LoadBalancerSourceRanges),
            ExternalTrafficPolicy = ParseTrafficPolicy(spec.ExternalTrafficPolicy, "spec.externalTrafficPolicy"),
            InternalTrafficPolicy = ParseTrafficPolicy(spec.InternalTrafficPolicy, "spec.internalTrafficPolicy"),
            HealthCheckNodePort = ParseHealthCheckNodePort(spec.HealthCheckNodePort),
            SessionAffinity = affinity,
            AffinityTimeoutSeconds = affinityTimeout,
            Labels = labels,
            Origin = origin,
        };
    }

    private static ServiceType ParseServiceType(string? type) => type switch
    {
        null or "" or "ClusterIP" => ServiceType.ClusterIP,
        "NodePort" => ServiceType.NodePort,
        "LoadBalancer" => ServiceType.LoadBalancer,
        "ExternalName" => ServiceType.ExternalName,
        _ => throw FieldError.NotSupported("spec.type", type, "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"),
    };

    private static (EquatableArray<IPAddress> ClusterIPs, bool Headless) ValidateExternalNameService(V1ServiceSpec spec)
    {
        const string why = "may not be set for ExternalName services";
        if (!string.IsNullOrEmpty(spec.ClusterIP)) throw FieldError.Forbidden("spec.clusterIP", why);
        if (spec.ClusterIPs is { Count: > 0 }) throw FieldError.Forbidden("spec.clusterIPs", why);
        if (spec.IpFamilies is { Count: > 0 }) throw FieldError.Forbidden("spec.ipFamilies", why);
        if (!string.IsNullOrEmpty(spec.IpFamilyPolicy)) throw FieldError.Forbidden("spec.ipFamilyPolicy", why);

        // The value is a CNAME and may carry the trailing dot of a fully qualified name.
        var cname = (spec.ExternalName ?? "").TrimEnd('.');
        if (cname.Length == 0) throw FieldError.Required("spec.externalName");
        if (NameRules.Dns1123Subdomain(cname) is { } detail) throw FieldError.Invalid("spec.externalName", cname, detail);
        return (EquatableArray<IPAddress>.Empty, false);
    }

    private static (EquatableArray<IPAddress> ClusterIPs, bool Headless) ParseClusterIPs(V1ServiceSpec spec, ServiceType type)
    {
        var hasList = spec.ClusterIPs is { Count: > 0 };
        // Either field alone is fine: the API server copies one into the other on create.
        var texts = hasList ? spec.ClusterIPs!.ToList()
            : string.IsNullOrEmpty(spec.ClusterIP) ? [] : [spec.ClusterIP];
        if (hasList && !string.IsNullOrEmpty(spec.ClusterIP) && texts[0] != spec.ClusterIP)
            throw FieldError.Invalid("spec.clusterIPs", texts, "first value must match `clusterIP`");
        if (texts.Count > 2) throw FieldError.Invalid("spec.clusterIPs", texts, "may only hold up to 2 values");

        var families = ParseIPFamilies(spec.IpFamilies);
        var policy = spec.IpFamilyPolicy;
        if (!string.IsNullOrEmpty(policy) && policy is not ("SingleStack" or "PreferDualStack" or "RequireDualStack"))
            throw FieldError.NotSupported("spec.ipFamilyPolicy", policy, "PreferDualStack", "RequireDualStack", "SingleStack");
        if (policy == "SingleStack" && (families.Count > 1 || texts.Count > 1))
            throw FieldError.Invalid("spec.ipFamilyPolicy", policy, "must be RequireDualStack or PreferDualStack when multiple IPFamilies are specified");

        if (texts.Count > 0 && texts[0] == ClusterIPNone)
        {
            if (texts.Count > 1) throw FieldError.Invalid("spec.clusterIPs", texts, "'None' must be the first and only value");
            if (type is ServiceType.NodePort or ServiceType.LoadBalancer)
                throw FieldError.Invalid(hasList ? "spec.clusterIPs[0]" : "spec.clusterIP", ClusterIPNone, $"may not be set to 'None' for {type} services");
            return (EquatableArray<IPAddress>.Empty, true);
        }

        var ips = new IPAddress[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            var path = hasList ? $"spec.clusterIPs[{i}]" : "spec.clusterIP";
            if (!IPText.TryParseAddress(texts[i], out var ip)) throw FieldError.Invalid(path, texts[i], IPText.InvalidIPDetail);
            if (i < families.Count && ip.Family() != families[i])
                throw FieldError.Invalid(path, texts[i], $"expected an {families[i].Label()} value as indicated by `ipFamilies[{i}]`");
            ips[i] = ip;
        }
        if (ips.Length == 2 && ips[0].Family() == ips[1].Family())
            throw FieldError.Invalid("spec.clusterIPs", texts, "may specify no more than one IP for each IP family");
        return (ips, false);
    }

    private static List<IPFamily> ParseIPFamilies(IList<string>? families)
    {
        var result = new List<IPFamily>();
        for (var i = 0; i < (families?.Count ?? 0); i++)
        {
            var text = families![i];
            var family = text switch
            {
                "IPv4" => IPFamily.IPv4,
                "IPv6" => IPFamily.IPv6,
                _ => throw FieldError.NotSupported($"spec.ipFamilies[{i}]", text, "IPv4", "IPv6"),
            };
            if (result.Contains(family)) throw FieldError.Duplicate($"spec.ipFamilies[{i}]", text);
            result.Add(family);
        }
        return result;
    }

    private static EquatableArray<ServicePort> ParseServicePorts(IList<V1ServicePort>? ports, ServiceType type, bool headless)
    {
        if (ports is null || ports.Count == 0)
        {
            if (!headless && type != ServiceType.ExternalName) throw FieldError.Required("spec.ports");
            return EquatableArray<ServicePort>.Empty;
        }

        var result = new ServicePort[ports.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var portKeys = new HashSet<(int, Protocol)>();
        var nodePortKeys = new HashSet<(int, Protocol)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var path = $"spec.ports[{i}]";
            var port = ports[i] ?? throw FieldError.Required(path);
            var name = port.Name ?? "";
            if (name.Length == 0 && ports.Count > 1) throw FieldError.Required(path + ".name");
            if (name.Length > 0)
            {
                if (NameRules.Dns1123Label(name) is { } detail) throw FieldError.Invalid(path + ".name", name, detail);
                if (!names.Add(name)) throw FieldError.Duplicate(path + ".name", name);
            }
            if (NameRules.PortNumber(port.Port) is { } portError) throw FieldError.Invalid(path + ".port", port.Port, portError);
            if (!ProtocolExtensions.TryParse(port.Protocol, out var protocol))
                throw FieldError.NotSupported(path + ".protocol", port.Protocol, "SCTP", "TCP", "UDP");
            ValidateTargetPort(port.TargetPort?.Value, path + ".targetPort");

            var nodePort = port.NodePort ?? 0;
            if (nodePort != 0 && NameRules.PortNumber(nodePort) is { } nodePortError)
                throw FieldError.Invalid(path + ".nodePort", nodePort, nodePortError);
            if (nodePort != 0 && type == ServiceType.ClusterIP)
                throw FieldError.Forbidden(path + ".nodePort", "may not be used when `type` is 'ClusterIP'");
            if (type == ServiceType.LoadBalancer && port.Port == KubeletPort)
                throw FieldError.Invalid(path, port.Port, $"may not expose port {KubeletPort} externally since it is used by kubelet");
            if (!portKeys.Add((port.Port, protocol))) throw FieldError.Duplicate(path, $"{port.Port}/{protocol}");
            if (nodePort != 0 && !nodePortKeys.Add((nodePort, protocol))) throw FieldError.Duplicate(path + ".nodePort", nodePort);

            result[i] = new ServicePort(Shared.Get(name), protocol, port.Port, nodePort);
        }
        return result;
    }

    /// <summary>A port number or an IANA service name; 0 and "" mean "same as port" (the API server defaults it).</summary>
    private static void ValidateTargetPort(string? value, string path)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            if (number != 0 && NameRules.PortNumber(number) is { } detail) throw FieldError.Invalid(path, number, detail);
            return;
        }
        if (NameRules.IanaServiceName(value) is { } nameError) throw FieldError.Invalid(path, value, nameError);
    }

    private static (SessionAffinity Affinity, int TimeoutSeconds) ParseSessionAffinity(V1ServiceSpec spec)
    {
        switch (spec.SessionAffinity)
        {
            // A sessionAffinityConfig next to "None" is refused by newer API servers, but it is harmless and older
            // stored objects may carry one, so it is ignored rather than rejected.
            case null or "" or "None":
                return (SessionAffinity.None, DefaultAffinityTimeoutSeconds);
            case "ClientIP":
                var timeout = spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultAffinityTimeoutSeconds;
                if (timeout is <= 0 or > MaxAffinityTimeoutSeconds)
                    throw FieldError.Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                        $"must be greater than 0 and less than {MaxAffinityTimeoutSeconds}");
                return (SessionAffinity.ClientIP, timeout);
            default:
                throw FieldError.NotSupported("spec.sessionAffinity", spec.SessionAffinity, "ClientIP", "None");
        }
    }

    private static EquatableArray<IPAddress> ParseExternalIPs(IList<string>? externalIPs)
    {
        if (externalIPs is null || externalIPs.Count == 0) return EquatableArray<IPAddress>.Empty;
        var result = new IPAddress[externalIPs.Count];
        for (var i = 0; i < externalIPs.Count; i++)
        {
            result[i] = ValidDestinationIP(externalIPs[i], $"spec.externalIPs[{i}]");
        }
        return result;
    }

    /// <summary>Endpoint addresses and external IPs: a valid IP that is not unspecified, loopback or link-local.</summary>
    private static IPAddress ValidDestinationIP(string? text, string path)
    {
        if (!IPText.TryParseAddress(text, out var ip)) throw FieldError.Invalid(path, text ?? "", IPText.InvalidIPDetail);
        if (IPText.SpecialAddressReason(ip, text!) is { } reason) throw FieldError.Invalid(path, text, reason);
        return ip;
    }

    private static EquatableArray<IPNetwork> ParseSourceRanges(IList<string>? ranges)
    {
        if (ranges is null || ranges.Count == 0) return EquatableArray<IPNetwork>.Empty;
        var result = new IPNetwork[ranges.Count];
        for (var i = 0; i < ranges.Count; i++)
        {
            // Padding is allowed for historical reasons (values used to come from a comma-separated annotation);
            // a bare IP without a prefix length is not a CIDR and the API server refuses it too.
            result[i] = ValidCidr((ranges[i] ?? "").Trim(), $"spec.loadBalancerSourceRanges[{i}]");
        }
        return result;
    }

    private static TrafficPolicy ParseTrafficPolicy(string? value, string path) => value switch
    {
        null or "" or "Cluster" => TrafficPolicy.Cluster,
        "Local" => TrafficPolicy.Local,
        _ => throw FieldError.NotSupported(path, value, "Cluster", "Local"),
    };

    private static int ParseHealthCheckNodePort(int? value)
    {
        var port = value ?? 0;
        if (port != 0 && NameRules.PortNumber(port) is { } detail) throw FieldError.Invalid("spec.healthCheckNodePort", port, detail);
        return port;
    }

    private static EquatableArray<LoadBalancerIngress> ParseLoadBalancerIngress(IList<V1LoadBalancerIngress>? ingress)
    {
        if (ingress is null || ingress.Count == 0) return EquatableArray<LoadBalancerIngress>.Empty;
        var result = new List<LoadBalancerIngress>(ingress.Count);
        for (var i = 0; i < ingress.Count; i++)
        {
            var entry = ingress[i];
            // Hostname-only entries (e.g. AWS ELB names) give kube-proxy nothing to match on.
            if (string.IsNullOrEmpty(entry?.Ip)) continue;
            var path = $"status.loadBalancer.ingress[{i}]";
            if (!IPText.TryParseAddress(entry.Ip, out var ip)) throw FieldError.Invalid(path + ".ip", entry.Ip, IPText.InvalidIPDetail);
            var mode = entry.IpMode switch
            {
                null or "" or "VIP" => LoadBalancerIPMode.VIP,
                "Proxy" => LoadBalancerIPMode.Proxy,
                _ => throw FieldError.NotSupported(path + ".ipMode", entry.IpMode, "Proxy", "VIP"),
            };
            result.Add(new LoadBalancerIngress(ip, mode));
        }
        return result.ToEquatableArray();
    }
}
