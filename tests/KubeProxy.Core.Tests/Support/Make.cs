using System.Collections.Immutable;
using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Tests.Support;

/// <summary>Short builders for the typed model, so each test states only what it is about.</summary>
internal static class Make
{
    public const string NodeName = "node-a";

    public static IPAddress IP(string s) => IPAddress.Parse(s);

    public static IPNetwork Cidr(string s) => IPNetwork.Parse(s);

    public static ObjectName Name(string ns, string name) => new(ns, name);

    public static ObjectName Svc(string name = "svc1", string ns = "ns1") => new(ns, name);

    public static ServicePortName PortName(string svc = "svc1", string port = "p80", Protocol protocol = Protocol.TCP, string ns = "ns1") =>
        new(new ObjectName(ns, svc), port, protocol);

    public static Service Service(
        string name = "svc1",
        string ns = "ns1",
        string[]? clusterIPs = null,
        ServiceType type = ServiceType.ClusterIP,
        ServicePort[]? ports = null,
        TrafficPolicy etp = TrafficPolicy.Cluster,
        TrafficPolicy itp = TrafficPolicy.Cluster) => new()
        {
            Name = new ObjectName(ns, name),
            Type = type,
            ClusterIPs = (clusterIPs ?? ["198.19.0.10"]).Select(IPAddress.Parse).ToEquatableArray(),
            Ports = ports ?? [new ServicePort("p80", Protocol.TCP, 80)],
            ExternalTrafficPolicy = etp,
            InternalTrafficPolicy = itp,
        };

    public static Endpoint Endpoint(
        string address,
        bool? ready = null,
        bool? serving = null,
        bool? terminating = null,
        string? node = null,
        string[]? zoneHints = null,
        string[]? nodeHints = null,
        string[]? extraAddresses = null) => new()
        {
            Addresses = new[] { address }.Concat(extraAddresses ?? []).Select(IPAddress.Parse).ToEquatableArray(),
            Ready = ready,
            Serving = serving,
            Terminating = terminating,
            NodeName = node,
            ZoneHints = zoneHints ?? [],
            NodeHints = nodeHints ?? [],
        };

    public static EndpointSlice Slice(
        string name,
        IEnumerable<Endpoint> endpoints,
        string service = "svc1",
        string ns = "ns1",
        IPFamily family = IPFamily.IPv4,
        EndpointPort[]? ports = null,
        DateTimeOffset? trigger = null) => new()
        {
            Name = new ObjectName(ns, name),
            Service = new ObjectName(ns, service),
            AddressType = family,
            Ports = ports ?? [new EndpointPort("p80", Protocol.TCP, 8080)],
            Endpoints = endpoints.ToEquatableArray(),
            LastChangeTriggerTime = trigger,
        };

    public static Node Node(string? zone = null, string name = NodeName, string[]? addresses = null, params (string Key, string Value)[] labels)
    {
        var l = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (zone is not null) l[KubeProxy.Core.Model.Node.ZoneLabel] = zone;
        foreach (var (k, v) in labels) l[k] = v;
        return new Node
        {
            Name = name,
            Labels = l.ToImmutable(),
            Addresses = (addresses ?? ["198.18.0.2", "fd00:198:18::2"]).Select(IPAddress.Parse).ToEquatableArray(),
        };
    }

    /// <summary>An endpoint as the categorizer sees it; "10.1.2.3:80" style keys keep tables readable.</summary>
    public static EndpointInfo Ep(
        string key,
        bool ready = true,
        bool serving = true,
        bool terminating = false,
        bool local = false,
        string[]? zones = null,
        string[]? nodes = null)
    {
        var colon = key.LastIndexOf(':');
        var ip = key[..colon].Trim('[', ']');
        return new EndpointInfo
        {
            IP = IPAddress.Parse(ip),
            Port = int.Parse(key[(colon + 1)..]),
            Ready = ready,
            // The API never reports a Ready endpoint that is not Serving; keep test data realistic.
            Serving = serving || ready,
            Terminating = terminating,
            IsLocal = local,
            ZoneHints = zones ?? [],
            NodeHints = nodes ?? [],
        };
    }

    public static ServicePortInfo PortInfo(
        bool itpLocal = false,
        bool etpLocal = false,
        int nodePort = 0,
        string[]? externalIPs = null,
        string[]? lbVips = null) => new()
        {
            Name = PortName(),
            ClusterIP = IPAddress.Parse("198.19.0.10"),
            Port = 80,
            NodePort = nodePort,
            InternalTrafficPolicy = itpLocal ? TrafficPolicy.Local : TrafficPolicy.Cluster,
            ExternalTrafficPolicy = etpLocal ? TrafficPolicy.Local : TrafficPolicy.Cluster,
            ExternalIPs = (externalIPs ?? []).Select(IPAddress.Parse).ToEquatableArray(),
            LoadBalancerVIPs = (lbVips ?? []).Select(IPAddress.Parse).ToEquatableArray(),
        };
}
