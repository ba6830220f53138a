using System.Globalization;
using System.Net;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// The fixed part of the ruleset: base chains hooked into netfilter, the dispatch chains, the verdict maps and sets,
/// masquerading. Only the ServiceCIDRs (drop rule) and the NodePort address mode vary, and both change only
/// through a full sync.
/// </summary>
public static class BaseRules
{
    public const string TableComment = "rules for kube-proxy";

    /// <summary>Base chains: name, type, hook, priority. The filter chains at -110 run before DNAT, so
    /// loadBalancerSourceRanges see the original destination.</summary>
    public static readonly (string Name, string Type, string Hook, int Priority)[] BaseChains =
    [
        ("filter-prerouting-pre-dnat", "filter", "prerouting", -110),
        ("filter-output-pre-dnat", "filter", "output", -110),
        ("filter-forward", "filter", "forward", 0),
        ("filter-input", "filter", "input", 0),
        ("filter-output", "filter", "output", 0),
        ("nat-prerouting", "nat", "prerouting", -100),
        ("nat-output", "nat", "output", -100),
        ("nat-postrouting", "nat", "postrouting", 100),
    ];

    public static readonly string[] RegularChains =
    [
        "firewall-check", "services", "service-endpoints-check", "nodeport-endpoints-check", "cluster-ips-check",
        ServiceRenderer.MarkForMasqueradeChain, "masquerading", ServiceRenderer.RejectChain,
    ];

    /// <summary>The fixed sets and maps (never affinity sets), flushed and refilled on a full sync.</summary>
    public static IEnumerable<(string Name, string Definition)> SetsAndMaps(NftFamily f)
    {
        yield return (ServiceRenderer.ClusterIPsSet, $"set {{ type {f.AddrType} ; comment \"Active ClusterIPs\" ; }}");
        yield return (NodePortIPsSet, $"set {{ type {f.AddrType} ; comment \"IPs that accept NodePort traffic\" ; }}");
        yield return (ServiceRenderer.ServiceIPsMap,
            $"map {{ type {f.AddrType} . inet_proto . inet_service : verdict ; comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }}");
        yield return (ServiceRenderer.ServiceNodePortsMap, "map { type inet_proto . inet_service : verdict ; comment \"NodePort traffic\" ; }");
        yield return (ServiceRenderer.NoEndpointServicesMap,
            $"map {{ type {f.AddrType} . inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to services with no endpoints\" ; }}");
        yield return (ServiceRenderer.NoEndpointNodePortsMap,
            "map { type inet_proto . inet_service : verdict ; comment \"vmap to drop or reject packets to service nodeports with no endpoints\" ; }");
        yield return (ServiceRenderer.FirewallIPsMap,
            $"map {{ type {f.AddrType} . inet_proto . inet_service : verdict ; comment \"destinations that are subject to LoadBalancerSourceRanges\" ; }}");
        // Before the endpoint-targets maps: full syncs over netlink recreate those, which moves them to the end of the
        // kernel's list of sets, and listings of both ways of applying then read the same.
        yield return (ServiceRenderer.ClusterIPMasqueradeSet,
            $"set {{ type {f.AddrType} . inet_proto . inet_service ; comment \"ClusterIP ports with endpoints: traffic to them from outside the cluster is masqueraded\" ; }}");
        // Keyed by what numgen draws (a 32-bit integer in host order), which only `typeof` can say.
        foreach (var (proto, map) in ServiceRenderer.EndpointTargetsMaps())
        {
            yield return (map,
                $"map {{ typeof numgen random mod 1 : {f.Ip} daddr . {proto} dport ; comment \"{proto} endpoints of Service chains, by numgen draw\" ; }}");
        }
        yield return (ServiceRenderer.HairpinSet,
            $"set {{ type {f.AddrType} . {f.AddrType} ; comment \"endpoints reaching themselves through a Service (masqueraded)\" ; }}");
    }

    public const string NodePortIPsSet = "nodeport-ips";

    /// <summary>What a Service table other than the main one holds of the fixed part (see ServiceTables): the NAT
    /// dispatch and the chain its Services' rules jump to. Its rules are the main table's rules of these chains.</summary>
    private static readonly HashSet<string> ServiceTableParts =
    [
        "nat-prerouting", "nat-output", "services", ServiceRenderer.MarkForMasqueradeChain,
        ServiceRenderer.ServiceIPsMap, ServiceRenderer.ServiceNodePortsMap, NodePortIPsSet, ServiceRenderer.ClusterIPMasqueradeSet,
    ];

    /// <summary>Whether ClusterIP traffic is masqueraded at all: always with masqueradeAll, else from outside the
    /// cluster, which needs a working local-traffic detector.</summary>
    public static bool MasqueradesClusterIPs(NftablesOptions options, LocalDetector detector) => options.MasqueradeAll || detector.IsImplemented;

    /// <summary>Whether the fixed chain or set <paramref name="name"/> is also in every other Service table.</summary>
    public static bool InEveryServiceTable(string name) => ServiceTableParts.Contains(name) || ServiceRenderer.IsEndpointTargetsMap(name);

    /// <summary>The rules of the fixed chains, in order.</summary>
    /// <param name="detector">Tells local pod traffic from the rest; it decides which ClusterIP traffic is masqueraded.</param>
    public static IEnumerable<(string Chain, string Rule)> Rules(NftablesOptions options, NftFamily f, IReadOnlyList<IPNetwork> serviceCidrs, bool nodePortsOnAllAddresses,
        LocalDetector detector)
    {
        var mark = "0x" + options.MasqueradeMark.ToString("x", CultureInfo.InvariantCulture);
        yield return ("filter-prerouting-pre-dnat", "ct state new jump firewall-check");
        yield return ("filter-output-pre-dnat", "ct state new jump firewall-check");
        yield return ("filter-forward", "ct state new jump service-endpoints-check");
        yield return ("filter-forward", "ct state new jump cluster-ips-check");
        yield return ("filter-input", "ct state new jump nodeport-endpoints-check");
        yield return ("filter-input", "ct state new jump service-endpoints-check");
        yield return ("filter-output", "ct state new jump service-endpoints-check");
        yield return ("filter-output", "ct state new jump cluster-ips-check");
        yield return ("nat-prerouting", "jump services");
        yield return ("nat-output", "jump services");
        yield return ("nat-postrouting", "jump masquerading");

        yield return ("firewall-check", $"{f.Ip} daddr . meta l4proto . th dport vmap @{ServiceRenderer.FirewallIPsMap}");
        // Off-cluster traffic to a ClusterIP may have been routed here from outside, and the reply must come back
        // through this node: masquerade it. Upstream writes this rule in every Service chain (10,000 rules at 10,000
        // Services); here it is one rule per table over a set of the ClusterIP ports that have endpoints, which the
        // same connections reach first (the dispatch below), before the table's NAT.
        if (MasqueradesClusterIPs(options, detector))
        {
            var from = options.MasqueradeAll ? "" : detector.IfNotLocal + " ";
            yield return ("services", $"{from}{f.Ip} daddr . meta l4proto . th dport @{ServiceRenderer.ClusterIPMasqueradeSet} jump {ServiceRenderer.MarkForMasqueradeChain}");
        }
        yield return ("services", $"{f.Ip} daddr . meta l4proto . th dport vmap @{ServiceRenderer.ServiceIPsMap}");
        // NodePorts never on loopback: a localhost NodePort needs route_localnet, which this mode does not use.
        var nodePortMatch = nodePortsOnAllAddresses
            ? $"fib daddr type local {f.Ip} daddr != {f.Loopback}"
            : $"{f.Ip} daddr @{NodePortIPsSet}";
        yield return ("services", $"{nodePortMatch} meta l4proto . th dport vmap @{ServiceRenderer.ServiceNodePortsMap}");
        yield return ("service-endpoints-check", $"{f.Ip} daddr . meta l4proto . th dport vmap @{ServiceRenderer.NoEndpointServicesMap}");
        yield return ("nodeport-endpoints-check", $"{nodePortMatch} meta l4proto . th dport vmap @{ServiceRenderer.NoEndpointNodePortsMap}");
        yield return ("cluster-ips-check", $"{f.Ip} daddr @{ServiceRenderer.ClusterIPsSet} reject comment \"Reject traffic to invalid ports of ClusterIPs\"");
        if (serviceCidrs.Count > 0)
        {
            yield return ("cluster-ips-check",
                $"{f.Ip} daddr {{ {string.Join(", ", serviceCidrs)} }} drop comment \"Drop traffic to unallocated ClusterIPs\"");
        }
        yield return (ServiceRenderer.MarkForMasqueradeChain, $"mark set mark or {mark}");
        // Hairpin: after DNAT a pod that reached itself through a Service has source == destination == its address.
        yield return ("masquerading", $"ct status dnat {f.Ip} saddr . {f.Ip} daddr @{ServiceRenderer.HairpinSet} mark set mark or {mark}");
        yield return ("masquerading", $"mark and {mark} == 0 return");
        yield return ("masquerading", $"mark set mark xor {mark}");
        yield return ("masquerading", "masquerade fully-random");
        yield return (ServiceRenderer.RejectChain, "reject");
    }
}
