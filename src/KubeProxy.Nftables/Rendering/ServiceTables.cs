using System.Globalization;
using KubeProxy.Core.Model;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Which table holds what, when the Services are spread over several tables.
/// <para>
/// Why: when a transaction adds a jump, goto or NAT rule (every new endpoint does) the kernel re-validates every chain
/// reachable from the base chains of that table, once per base chain that reaches them; at 10,000 Services that walk
/// is most of a partial sync (30–40 ms at 10,000 × 1, 270 ms at 10,000 × 10 on kernel 6.18). Validation is per
/// table, so with the Services spread over N tables a change pays for one table's share (docs/performance.md).
/// </para>
/// <para>
/// Table 0 is the main table (<c>kube-proxy</c>): everything of the single-table layout, with the Services of
/// shard 0. Tables 1..N-1 (<c>kube-proxy-1</c> …) each hold their Services' dispatch: NAT base chains at the same
/// priority, the <c>services</c> chain, the <c>service-ips</c> / <c>service-nodeports</c> maps (and
/// <c>nodeport-ips</c>), <c>mark-for-masquerade</c>, and the Services' own chains and affinity sets. Each Service
/// address and port is in exactly one table, and the kernel's NAT stops at the first NAT chain that sets a
/// mapping, so the tables together behave as the single table does. What stays in the main table for every Service:
/// the filter-side maps (no-endpoint, firewall) with the firewall chains, and the ClusterIP set; masquerading
/// (postrouting) is done once, there, by the mark. With one table the layout is exactly the single-table one.
/// </para>
/// </summary>
public sealed class ServiceTables
{
    private readonly string[] _names;

    public ServiceTables(string mainTable, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        Main = mainTable;
        _names = new string[count];
        for (var i = 0; i < count; i++) _names[i] = i == 0 ? mainTable : $"{mainTable}-{i.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>More tables would only add NAT base chains that every new connection passes.</summary>
    public const int MaxCount = 64;

    public string Main { get; }

    public int Count => _names.Length;

    /// <summary>Every table, main first.</summary>
    public IReadOnlyList<string> All => _names;

    /// <summary>The table of a Service's dispatch and chains: a stable hash of namespace/name (FNV-1a of the UTF-8 bytes),
    /// so a Service stays in its table across restarts and its affinity state with it.</summary>
    public string TableOf(ObjectName service) => _names.Length == 1 ? Main : _names[Shard(service, _names.Length)];

    public static int Shard(ObjectName service, int count)
    {
        var hash = 2166136261u;
        hash = Mix(hash, service.Namespace);
        hash = (hash ^ '/') * 16777619u;
        hash = Mix(hash, service.Name);
        return (int)(hash % (uint)count);
    }

    /// <summary>Where an element of <paramref name="map"/> owned by a Service of <paramref name="serviceTable"/> goes:
    /// the dispatch maps, the endpoint-targets maps and the ClusterIP masquerade set are in the Service's table (its
    /// NAT chains read them: once one table's NAT has rewritten a packet, no other table's NAT chain sees it), the
    /// filter-side maps, the ClusterIP and hairpin sets in the main one.</summary>
    public string TableOfElement(string map, string serviceTable) =>
        IsDispatchMap(map) || ServiceRenderer.IsEndpointTargetsMap(map) || map == ServiceRenderer.ClusterIPMasqueradeSet ? serviceTable : Main;

    /// <summary>The maps a Service's table dispatches from: service-ips and service-nodeports.</summary>
    public static bool IsDispatchMap(string map) => map is ServiceRenderer.ServiceIPsMap or ServiceRenderer.ServiceNodePortsMap;

    /// <summary>Where a chain of a Service of <paramref name="serviceTable"/> goes: firewall chains are reached from the
    /// main table's firewall map, every other chain from the Service's dispatch.</summary>
    public string TableOfChain(string chain, string serviceTable) =>
        chain.StartsWith(ChainNames.FirewallPrefix, StringComparison.Ordinal) ? Main : serviceTable;

    /// <summary>A table name of ours: the main table or <c>main-N</c> with any N ≥ 1 (also beyond <see cref="Count"/>:
    /// a table left by an earlier run with more tables, to be deleted).</summary>
    public bool IsOurs(string table)
    {
        if (table == Main) return true;
        if (table.Length <= Main.Length + 1 || !table.StartsWith(Main, StringComparison.Ordinal) || table[Main.Length] != '-') return false;
        var digits = table.AsSpan(Main.Length + 1);
        return digits[0] != '0' && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1;
    }

    private static uint Mix(uint hash, string text)
    {
        // Kubernetes names are ASCII (DNS labels); hashing chars is hashing their UTF-8 bytes.
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
