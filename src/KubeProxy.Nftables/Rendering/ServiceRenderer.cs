using System.Globalization;
using System.Net;
using System.Net.Sockets;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Renders one Service (all its ports) into chains and map elements, following upstream's nftables layout:
/// dispatch through the service-ips / service-nodeports verdict maps, a service chain (Cluster policy) and a local
/// chain (Local policy) that pick an endpoint at random and DNAT to it (one <c>dnat to numgen … map @endpoint-targets-PROTO</c>
/// rule, see ServiceToEndpointRules), an external chain for NodePort, LoadBalancer and external IPs, a
/// firewall chain for loadBalancerSourceRanges, and REJECT/DROP entries in the no-endpoint maps. Unlike upstream there
/// is a chain per endpoint only with ClientIP affinity (affinity update, DNAT); hairpin traffic is masqueraded in
/// postrouting through the hairpin-endpoints set. Pure: the same snapshot always gives the same text, which is what
/// lets a partial sync compare and skip unchanged chains.
/// </summary>
public sealed class ServiceRenderer
{
    public const string MarkForMasqueradeChain = "mark-for-masquerade";
    public const string RejectChain = "reject-chain";
    public const string ClusterIPsSet = "cluster-ips";
    public const string ServiceIPsMap = "service-ips";
    public const string ServiceNodePortsMap = "service-nodeports";
    public const string NoEndpointServicesMap = "no-endpoint-services";
    public const string NoEndpointNodePortsMap = "no-endpoint-nodeports";
    public const string FirewallIPsMap = "firewall-ips";

    /// <summary>Endpoint addresses as <c>address . address</c>: a packet with that source and destination after DNAT is
    /// a pod reaching itself through a Service. Several Services share an element (the data plane counts holders).</summary>
    public const string HairpinSet = "hairpin-endpoints";

    /// <summary><c>ClusterIP . protocol . port</c> of every Service port with endpoints for in-cluster traffic: the
    /// one rule in each table's <c>services</c> chain masquerades what reaches them from outside the cluster
    /// (BaseRules).</summary>
    public const string ClusterIPMasqueradeSet = "cluster-ip-masquerade";

    /// <summary>Per Service table, protocol and part (<c>endpoint-targets-tcp-0</c> … <c>-7</c>, likewise udp and sctp):
    /// numgen result → <c>address . port</c>, the endpoints of every chain that picks among two or more without affinity
    /// (see <see cref="IEndpointSlots"/>). Separate maps per protocol because nft 1.0.6 types a map's port by protocol
    /// (`typeof … tcp dport`) and refuses a UDP rule on a TCP-typed map, and a protocol-neutral `th dport` map when
    /// it reads the map back from the kernel. Several parts per protocol because the kernel checks each new element
    /// against every rule bound to the map (nft_add_set_elem walks the map's bindings), so one map costs elements ×
    /// rules: at 10,000 × 10 (16 tables) eight parts took the kernel's share of loading the ruleset from 1.9–2.7 s
    /// to 1.4–1.5 s (docs/performance.md). A chain's part is a hash of its name, so it keeps its map.</summary>
    public const string EndpointTargetsPrefix = "endpoint-targets-";

    public static readonly string[] EndpointTargetsProtocols = ["tcp", "udp", "sctp"];

    /// <summary>Maps per protocol and table. More parts cost more sets for the kernel to look up by name (16 measured
    /// no better than 8).</summary>
    public const int EndpointTargetsParts = 8;

    private static readonly string[][] EndpointTargetsNames = EndpointTargetsProtocols
        .Select(proto => Enumerable.Range(0, EndpointTargetsParts).Select(i => $"{EndpointTargetsPrefix}{proto}-{i.ToString(CultureInfo.InvariantCulture)}").ToArray())
        .ToArray();

    /// <summary>Every endpoint-targets map of a table: protocol by protocol, part by part.</summary>
    public static IEnumerable<(string Protocol, string Map)> EndpointTargetsMaps() =>
        EndpointTargetsProtocols.SelectMany((proto, p) => EndpointTargetsNames[p].Select(map => (proto, map)));

    /// <summary>The endpoint-targets map of <paramref name="chain"/> for <paramref name="protocol"/>: its part is a
    /// hash of the chain's name (FNV-1a), so it stays the same as long as the chain does.</summary>
    public static string EndpointTargetsMap(string protocol, string chain)
    {
        var hash = 2166136261u;
        foreach (var c in chain) hash = (hash ^ c) * 16777619u;
        return EndpointTargetsNames[Array.IndexOf(EndpointTargetsProtocols, protocol)][hash % EndpointTargetsParts];
    }

    public static bool IsEndpointTargetsMap(string map) => map.StartsWith(EndpointTargetsPrefix, StringComparison.Ordinal);

    private readonly NftablesOptions _options;
    private readonly NftFamily _family;

    public ServiceRenderer(NftablesOptions options)
    {
        _options = options;
        _family = NftFamily.Of(options.Family);
    }

    /// <summary>Render one Service. <paramref name="detector"/> and <paramref name="nodeIP"/> come from the snapshot's node.</summary>
    /// <param name="slots">Key ranges of the endpoint-targets map; without it, a chain picks among endpoints with one
    /// <c>numgen … dnat</c> rule per endpoint.</param>
    public ServiceRules Render(ObjectName service, IEnumerable<ServicePortState> ports, LocalDetector detector, IPAddress? nodeIP,
        IEndpointSlots? slots = null)
    {
        // Sized up front from what the ports hold (about two elements per endpoint: its endpoint-targets entry and its
        // hairpin pair), so that a full sync does not grow and copy two collections per Service.
        var list = ports as IReadOnlyCollection<ServicePortState> ?? ports.ToList();
        var elements = 0;
        var endpoints = 0;
        foreach (var port in list)
        {
            endpoints += port.AllReachable.Count;
            elements += 4 + 2 * port.AllReachable.Count + 2 * (port.Info.ExternalIPs.Count + port.Info.LoadBalancerVIPs.Count);
        }
        var rules = new ServiceRules(service, elements);
        // An endpoint address is one hairpin element per Service, however many ports reach it.
        var hairpin = new HashSet<string>(endpoints, StringComparer.Ordinal);
        foreach (var port in list) RenderPort(rules, port, detector, nodeIP, hairpin, slots);
        return rules;
    }

    private void RenderPort(ServiceRules output, ServicePortState state, LocalDetector detector, IPAddress? nodeIP, HashSet<string> hairpin,
        IEndpointSlots? slots)
    {
        var info = state.Info;
        var name = info.Name;
        var ip = _family.Ip;
        var proto = info.Protocol.Lower();
        var port = info.Port.ToString(CultureInfo.InvariantCulture);
        var comment = Comment(name.ToString());

        var clusterChain = ChainNames.Service(name);
        var localChain = ChainNames.Local(name);
        var externalChain = ChainNames.External(name);

        var usesClusterChain = !state.ClusterEndpoints.IsEmpty && info.UsesClusterEndpoints;
        var usesLocalChain = !state.LocalEndpoints.IsEmpty && info.UsesLocalEndpoints;
        var hasEndpoints = state.HasAnyEndpoints;

        var internalChain = clusterChain;
        var hasInternalEndpoints = hasEndpoints;
        if (info.InternalPolicyLocal)
        {
            internalChain = localChain;
            hasInternalEndpoints = !state.LocalEndpoints.IsEmpty;
        }

        var externalPolicyChain = clusterChain;
        var hasExternalEndpoints = hasEndpoints;
        if (info.ExternalPolicyLocal)
        {
            externalPolicyChain = localChain;
            hasExternalEndpoints = !state.LocalEndpoints.IsEmpty;
        }

        // The external chain is needed whenever there are endpoints at all: even with no local endpoints it holds the
        // short-circuit rules for pod and host traffic.
        var usesExternalChain = hasEndpoints && info.ExternallyAccessible;

        // No endpoints anywhere: REJECT. Endpoints, but none for this kind of traffic from here: DROP.
        var internalFilterVerdict = hasEndpoints ? "drop" : $"goto {RejectChain}";
        var externalFilterVerdict = hasEndpoints ? "drop" : $"goto {RejectChain}";

        var clusterIP = AddressText.Of(info.ClusterIP);
        output.Elements.Add(new MapElement(ClusterIPsSet, clusterIP, ""));
        var clusterKey = $"{clusterIP} . {proto} . {port}";
        if (hasInternalEndpoints)
        {
            output.Elements.Add(new MapElement(ServiceIPsMap, clusterKey, $"goto {internalChain}"));
        }
        else
        {
            output.Elements.Add(new MapElement(NoEndpointServicesMap, clusterKey, internalFilterVerdict, comment));
        }

        foreach (var externalIP in info.ExternalIPs)
        {
            var key = $"{externalIP} . {proto} . {port}";
            if (hasEndpoints) output.Elements.Add(new MapElement(ServiceIPsMap, key, $"goto {externalChain}"));
            if (!hasExternalEndpoints) output.Elements.Add(new MapElement(NoEndpointServicesMap, key, externalFilterVerdict, comment));
        }

        var usesFirewall = info.LoadBalancerVIPs.Count > 0 && info.HasSourceRanges;
        if (usesFirewall)
        {
            var firewallChain = ChainNames.Firewall(name);
            var sources = new List<string>();
            var allowFromNode = false;
            foreach (var range in info.LoadBalancerSourceRanges)
            {
                sources.Add(range.ToString());
                if (nodeIP is not null && range.Contains(nodeIP)) allowFromNode = true;
            }
            // A VIP is often also a local address on the node; a request from the node to it then arrives with the
            // VIP as source. Allow that when the node itself is an allowed source.
            if (allowFromNode)
            {
                foreach (var vip in info.LoadBalancerVIPs) sources.Add(AddressText.Of(vip));
            }
            // One range is a plain match; several need an anonymous set (which partial and full syncs then send as nft
            // text: the netlink encoder does not write anonymous sets).
            var allowed = sources.Count == 1 ? sources[0] : $"{{ {string.Join(", ", sources)} }}";
            output.Chains.Add(new RenderedChain(firewallChain, [$"{ip} saddr != {allowed} drop"]));
            foreach (var vip in info.LoadBalancerVIPs)
            {
                output.Elements.Add(new MapElement(FirewallIPsMap, $"{vip} . {proto} . {port}", $"goto {firewallChain}", comment));
            }
        }

        foreach (var vip in info.LoadBalancerVIPs)
        {
            var key = $"{vip} . {proto} . {port}";
            if (hasEndpoints) output.Elements.Add(new MapElement(ServiceIPsMap, key, $"goto {externalChain}"));
            if (!hasExternalEndpoints) output.Elements.Add(new MapElement(NoEndpointServicesMap, key, externalFilterVerdict, comment));
        }

        if (info.NodePort != 0)
        {
            // NodePorts are not subject to loadBalancerSourceRanges (upstream behaviour, kept for compatibility).
            var key = $"{proto} . {info.NodePort.ToString(CultureInfo.InvariantCulture)}";
            if (hasEndpoints) output.Elements.Add(new MapElement(ServiceNodePortsMap, key, $"goto {externalChain}"));
            if (!hasExternalEndpoints) output.Elements.Add(new MapElement(NoEndpointNodePortsMap, key, externalFilterVerdict, comment));
        }

        // Masquerade off-cluster traffic to the ClusterIP (BaseRules' rule over this set): it may have been routed here
        // from outside, and the reply must come back through this node.
        if (hasInternalEndpoints && BaseRules.MasqueradesClusterIPs(_options, detector))
        {
            output.Elements.Add(new MapElement(ClusterIPMasqueradeSet, clusterKey, ""));
        }

        if (usesExternalChain)
        {
            var ext = new List<string>();
            if (!info.ExternalPolicyLocal)
            {
                // Cluster policy may send the packet to another node: masquerade so the reply returns here.
                ext.Add($"jump {MarkForMasqueradeChain}");
            }
            else
            {
                // Pod → external address of a local-policy service behaves as if it went out to the load balancer and
                // came back: any endpoint, no masquerade.
                if (detector.IsImplemented) ext.Add($"{detector.IfLocal} goto {clusterChain} comment \"short-circuit pod traffic\"");
                // The host's own traffic has a local address as source (often the VIP itself): masquerade it and use
                // all endpoints.
                ext.Add($"fib saddr type local jump {MarkForMasqueradeChain} comment \"masquerade local traffic\"");
                ext.Add($"fib saddr type local goto {clusterChain} comment \"short-circuit local traffic\"");
            }
            if (hasExternalEndpoints) ext.Add($"goto {externalPolicyChain}");
            output.Chains.Add(new RenderedChain(externalChain, ext));
        }

        var names = new EndpointNames(name);
        var affinity = info.SessionAffinity == SessionAffinity.ClientIP;
        if (affinity)
        {
            foreach (var ep in state.AllReachable)
            {
                output.AffinitySets.Add(new AffinitySet(names.Affinity(ep), info.StickyMaxAgeSeconds));
            }
        }

        if (usesClusterChain)
        {
            output.Chains.Add(new RenderedChain(clusterChain, ServiceToEndpointRules(output, clusterChain, slots, names, state.ClusterEndpoints,
                affinity, proto)));
        }
        if (usesLocalChain)
        {
            output.Chains.Add(new RenderedChain(localChain, ServiceToEndpointRules(output, localChain, slots, names, state.LocalEndpoints,
                affinity, proto)));
        }

        foreach (var ep in state.AllReachable)
        {
            // Hairpin: a pod reaching itself through the Service must see the reply come from the Service. After DNAT
            // its packet has source == destination == the endpoint; postrouting masquerades those by this set
            // (BaseRules), so no rule needs to know which endpoint the random choice took.
            var address = AddressText.Of(ep.IP);
            if (hairpin.Add(address)) output.Elements.Add(new MapElement(HairpinSet, $"{address} . {address}", ""));
            if (!affinity) continue;
            // With ClientIP affinity each endpoint keeps a chain: the choice must be remembered per endpoint.
            output.Chains.Add(new RenderedChain(names.Chain(ep),
            [
                $"update @{names.Affinity(ep)} {{ {ip} saddr }}",
                Dnat(proto, ep),
            ]));
        }
    }

    private List<string> ServiceToEndpointRules(ServiceRules output, string chain, IEndpointSlots? slots, EndpointNames names,
        EquatableArray<EndpointInfo> endpoints, bool affinity, string proto)
    {
        var rules = new List<string>(endpoints.Count + 1);
        if (affinity)
        {
            foreach (var ep in endpoints)
            {
                rules.Add($"{_family.Ip} saddr @{names.Affinity(ep)} goto {names.Chain(ep)}");
            }
        }

        // A uniform random choice among N endpoints as a short chain of rules, as iptables' statistic rules do: rule i
        // (0-based) is taken with probability 1/(N-i) when reached, which gives every endpoint exactly 1/N; the last
        // rule is unconditional (one endpoint needs no random choice at all). Upstream writes
        // `numgen random mod N vmap { 0 : goto ..., ... }` instead, but each such anonymous map is a set in the kernel,
        // and the kernel's cost of adding one grows with the sets already in the table: 10,000 of them made a full sync
        // take minutes (docs/performance.md). These rules cost the kernel the same as any other rule.
        // Without affinity the rule DNATs itself: upstream's chain per endpoint would be one more chain per endpoint,
        // and every chain of the namespace costs each commit (100,000 of them at 10,000 x 10; docs/performance.md).
        // With the endpoint-targets map (slots) it is one rule whatever N is: numgen draws a key of this chain's
        // range and the map gives the address and port, so an endpoint that changes is an element, not a rule, and
        // the kernel need not re-validate the table (a rule with NAT would make it).
        if (!affinity && slots is not null && endpoints.Count >= 2)
        {
            var start = slots.Reserve(chain, endpoints.Count);
            var map = EndpointTargetsMap(proto, chain);
            for (var i = 0; i < endpoints.Count; i++)
            {
                var ep = endpoints[i];
                output.Elements.Add(new MapElement(map, (start + (uint)i).ToString(CultureInfo.InvariantCulture), $"{ep.IP} . {ep.Port.ToString(CultureInfo.InvariantCulture)}"));
            }
            rules.Add($"meta l4proto {proto} dnat to numgen random mod {endpoints.Count.ToString(CultureInfo.InvariantCulture)} offset {start.ToString(CultureInfo.InvariantCulture)} map @{map}");
            return rules;
        }
        for (var i = 0; i < endpoints.Count; i++)
        {
            var ep = endpoints[i];
            var action = affinity ? $"goto {names.Chain(ep)}" : Dnat(proto, ep);
            var remaining = endpoints.Count - i;
            rules.Add(remaining == 1
                ? action
                : $"numgen random mod {remaining.ToString(CultureInfo.InvariantCulture)} == 0 {action}");
        }
        return rules;
    }

    private static string Dnat(string proto, EndpointInfo ep) => $"meta l4proto {proto} dnat to {HostPort(ep)}";

    /// <summary>Endpoint chain and affinity set names of one Service port with ClientIP affinity, each hashed once: a
    /// name is written several times (cluster chain, local chain, affinity rules, its own chain) and each costs a
    /// SHA-256.</summary>
    private sealed class EndpointNames(ServicePortName name)
    {
        private readonly Dictionary<(IPAddress, int), string> _chains = [];
        private readonly Dictionary<(IPAddress, int), string> _affinity = [];

        public string Chain(EndpointInfo ep)
        {
            if (!_chains.TryGetValue((ep.IP, ep.Port), out var chain)) _chains[(ep.IP, ep.Port)] = chain = ChainNames.Endpoint(name, ep);
            return chain;
        }

        public string Affinity(EndpointInfo ep)
        {
            if (!_affinity.TryGetValue((ep.IP, ep.Port), out var set)) _affinity[(ep.IP, ep.Port)] = set = ChainNames.Affinity(name, ep);
            return set;
        }
    }

    private static string HostPort(EndpointInfo ep) =>
        ep.IP.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ep.IP}]:{ep.Port}" : $"{ep.IP}:{ep.Port}";

    /// <summary>nft comments are at most 128 bytes and must not contain quotes; names are validated, but be sure.</summary>
    public static string Comment(string text)
    {
        var clean = text.Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal);
        return clean.Length > 120 ? clean[..120] : clean;
    }
}
