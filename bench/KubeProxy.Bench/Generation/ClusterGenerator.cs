using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Bench.Generation;

/// <summary>
/// Builds a deterministic synthetic cluster (Services and EndpointSlices) for a <see cref="ClusterShape"/>.
/// Addresses stay in the benchmark ranges: ClusterIPs 198.19.0.0/16 (fd00:19::/64 for the IPv6 half of dual-stack),
/// pods 198.18.64.0/18 (fd00:18::/64) reused round-robin when there are more endpoints than addresses, load-balancer
/// ingress 198.18.128.0/17. Kind, policies and affinity are chosen by a seeded hash of the index, so every run of the
/// same shape is identical. Namespaces and node names go through <see cref="SharedNames"/>, as the API source's
/// converter does, so the bench holds the model the way a real process would.
/// </summary>
internal static class ClusterGenerator
{
    public const string NodeName = "node-1";
    public static readonly IPAddress NodeIPv4 = IPAddress.Parse("198.18.0.10");
    public static readonly IPAddress NodeIPv6 = IPAddress.Parse("fd00:18::10");
    public static readonly IPNetwork PodCidrV4 = IPNetwork.Parse("198.18.64.0/18");
    public static readonly IPNetwork PodCidrV6 = IPNetwork.Parse("fd00:18::/64");

    private const int PodAddresses = 1 << 14;

    public static Node Node() => new()
    {
        Name = NodeName,
        Addresses = new[] { NodeIPv4, NodeIPv6 },
        PodCIDRs = new[] { IPNetwork.Parse("198.18.64.0/24"), IPNetwork.Parse("fd00:18::/112") },
    };

    /// <summary>Every Service with its slices (one per family it has), in index order.</summary>
    public static IEnumerable<(Service Service, IReadOnlyList<EndpointSlice> Slices)> Generate(ClusterShape shape)
    {
        if (shape.Services > 60_000) throw new ArgumentException("at most 60,000 Services fit the 198.19.0.0/16 ClusterIP plan");
        var nodePorts = 0;
        for (var i = 0; i < shape.Services; i++)
        {
            var service = MakeService(shape, i, ref nodePorts);
            yield return (service, Slices(shape, service, i, shape.EndpointsPerService, generation: 0));
        }
    }

    /// <summary>A Service beyond the generated ones (for "add one Service"); index must be ≥ shape.Services.</summary>
    public static (Service Service, IReadOnlyList<EndpointSlice> Slices) Extra(ClusterShape shape, int index)
    {
        var none = ClusterShape.MaxNodePorts; // no NodePort for the extra one: it is a plain ClusterIP Service
        var service = MakeService(shape with { NodePortShare = 0, LoadBalancerShare = 0 }, index, ref none);
        return (service, Slices(shape, service, index, shape.EndpointsPerService, 0));
    }

    /// <summary>The slices of Service <paramref name="index"/> after one endpoint moved to a new pod address.</summary>
    public static IReadOnlyList<EndpointSlice> WithOneEndpointChanged(ClusterShape shape, Service service, int index, int generation) =>
        Slices(shape, service, index, shape.EndpointsPerService, generation);

    private static Service MakeService(ClusterShape shape, int i, ref int nodePorts)
    {
        var h = Hash(i);
        var type = ServiceType.ClusterIP;
        var roll = Fraction(h, 0);
        if (roll < shape.LoadBalancerShare && nodePorts < ClusterShape.MaxNodePorts - 1) type = ServiceType.LoadBalancer;
        else if (roll < shape.LoadBalancerShare + shape.NodePortShare && nodePorts < ClusterShape.MaxNodePorts) type = ServiceType.NodePort;

        var dual = Fraction(h, 1) < shape.DualStackShare;
        var protocol = Fraction(h, 2) < shape.UdpShare ? Protocol.UDP : Protocol.TCP;
        var twoPorts = protocol == Protocol.TCP && Fraction(h, 3) < shape.TwoPortShare;
        var ports = new List<ServicePort>();
        foreach (var (name, port) in twoPorts ? new[] { ("http", 80), ("https", 443) } : new[] { ("p", protocol == Protocol.UDP ? 53 : 80) })
        {
            var nodePort = type == ServiceType.ClusterIP ? 0 : 30000 + nodePorts++;
            ports.Add(new ServicePort(name, protocol, port, nodePort));
        }
        var externalLocal = type != ServiceType.ClusterIP && Fraction(h, 4) < shape.ExternalLocalShare;
        var healthCheck = externalLocal && type == ServiceType.LoadBalancer ? 30000 + nodePorts++ : 0;

        var clusterIPs = new List<IPAddress> { V4(198, 19, i + 1) };
        if (dual) clusterIPs.Add(IPAddress.Parse($"fd00:19::{i + 1:x}"));
        return new Service
        {
            Name = new ObjectName(SharedNames.Shared.Get($"ns-{i % 100}"), $"svc-{i}"),
            Type = type,
            ClusterIPs = clusterIPs.ToArray(),
            Ports = ports.ToArray(),
            LoadBalancerIngress = type == ServiceType.LoadBalancer
                ? new[] { new LoadBalancerIngress(V4(198, 18, 32768 + i % 32768)) }
                : EquatableArray<LoadBalancerIngress>.Empty,
            ExternalTrafficPolicy = externalLocal ? TrafficPolicy.Local : TrafficPolicy.Cluster,
            InternalTrafficPolicy = Fraction(h, 5) < shape.InternalLocalShare ? TrafficPolicy.Local : TrafficPolicy.Cluster,
            HealthCheckNodePort = healthCheck,
            SessionAffinity = Fraction(h, 6) < shape.AffinityShare ? SessionAffinity.ClientIP : SessionAffinity.None,
            AffinityTimeoutSeconds = 10800,
        };
    }

    private static IReadOnlyList<EndpointSlice> Slices(ClusterShape shape, Service service, int index, int count, int generation)
    {
        var families = service.ClusterIPs.Count > 1 ? new[] { IPFamily.IPv4, IPFamily.IPv6 } : new[] { IPFamily.IPv4 };
        var slices = new List<EndpointSlice>(families.Length);
        foreach (var family in families)
        {
            var endpoints = new Endpoint[count];
            for (var e = 0; e < count; e++)
            {
                // generation shifts the first endpoint only: "one endpoint changed".
                var slot = (long)index * count + e + (e == 0 ? generation * 7919L : 0);
                var pod = (int)(slot % PodAddresses);
                endpoints[e] = new Endpoint
                {
                    Addresses = new[] { family == IPFamily.IPv4 ? V4(198, 18, 16384 + pod) : IPAddress.Parse($"fd00:18::1:{pod:x}") },
                    Ready = true,
                    NodeName = SharedNames.Shared.Get($"node-{1 + (int)(slot % shape.Nodes)}"),
                };
            }
            slices.Add(new EndpointSlice
            {
                Name = new ObjectName(service.Name.Namespace, $"{service.Name.Name}-{(family == IPFamily.IPv4 ? "v4" : "v6")}"),
                Service = service.Name,
                AddressType = family,
                Ports = service.Ports.Select(p => new EndpointPort(p.Name, p.Protocol, p.Port == 443 ? 8443 : p.Port == 53 ? 5353 : 8080)).ToArray(),
                Endpoints = endpoints,
            });
        }
        return slices;
    }

    /// <summary>198.19.0.0 + offset (or 198.18.0.0 + offset): the third and fourth octets from the offset.</summary>
    private static IPAddress V4(int a, int b, int offset) =>
        new(new byte[] { (byte)a, (byte)b, (byte)(offset >> 8 & 0xff), (byte)(offset & 0xff) });

    private static ulong Hash(int i)
    {
        var x = (ulong)i + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>An independent-enough value in [0,1) from 8 bits of the hash per decision.</summary>
    private static double Fraction(ulong hash, int decision) => ((hash >> (decision * 8)) & 0xff) / 256.0;
}
