using KubeProxy.Core.Selection;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Tests.Support;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Selection;

/// <summary>
/// The endpoint-selection table, modelled on upstream TestCategorizeEndpoints (pkg/proxy/topology_test.go) and
/// extended with forNodes hints (PreferSameNode) and the terminating fallbacks. Expected sets use null for "this port
/// never uses that kind of endpoint", and an empty array for "it does, but there are none".
/// </summary>
public sealed class EndpointCategorizerTests
{
    private const string A = "198.18.64.1:80";
    private const string B = "198.18.64.2:80";
    private const string C = "198.18.64.3:80";
    private const string D = "198.18.64.4:80";

    public sealed record Case
    {
        public required ServicePortInfo Port { get; init; }
        public required EndpointInfo[] Endpoints { get; init; }
        public string? Zone { get; init; }
        public bool PreferSameNode { get; init; } = true;
        public string[]? Cluster { get; init; }
        public string[]? Local { get; init; }
        /// <summary>Left null when only one of Cluster/Local is used: then it equals that one.</summary>
        public string[]? All { get; init; }
        /// <summary>hasAnyEndpoints is true although nothing is reachable from this node.</summary>
        public bool OnlyRemote { get; init; }
        public TopologyMode Mode { get; init; } = TopologyMode.None;
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["zone hints: all endpoints hinted, node zone matches: filter to the zone"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(B, zones: ["zone-b"]), Ep(C, zones: ["zone-c"]), Ep(D, zones: ["zone-a"])],
            Cluster = [A, D],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: externalTrafficPolicy Local ignores topology for local endpoints"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, zones: ["zone-a"], local: true), Ep(B, zones: ["zone-b"], local: true), Ep(C, zones: ["zone-c"]), Ep(D, zones: ["zone-a"])],
            Cluster = [A, D],
            Local = [A, B],
            All = [A, B, D],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: internalTrafficPolicy Local ignores topology for local endpoints"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(itpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, zones: ["zone-a"], local: true), Ep(B, zones: ["zone-b"], local: true), Ep(C, zones: ["zone-c"]), Ep(D, zones: ["zone-a"])],
            Cluster = [A, D],
            Local = [A, B],
            All = [A, B, D],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: node has no zone label: no filtering"] = new()
        {
            Zone = null,
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"])],
            Cluster = [A],
        },
        ["zone hints: node zone label empty: no filtering"] = new()
        {
            Zone = "",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(B, zones: ["zone-b"])],
            Cluster = [A, B],
        },
        ["zone hints: node in a zone no endpoint is hinted for: no filtering"] = new()
        {
            Zone = "zone-b",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(C, zones: ["zone-c"])],
            Cluster = [A, C],
        },
        ["zone hints: unready endpoint in the zone is not used"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(B, zones: ["zone-b"]), Ep(C, zones: ["zone-c"]), Ep(D, zones: ["zone-a"], ready: false)],
            Cluster = [A],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: only unready endpoints in the node's zone: no filtering"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"], ready: false), Ep(B, zones: ["zone-b"]), Ep(C, zones: ["zone-c"]), Ep(D, zones: ["zone-a"], ready: false)],
            Cluster = [B, C],
        },
        ["zone hints: one Ready endpoint lacks hints: no filtering"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(B, zones: ["zone-b"]), Ep(C), Ep(D, zones: ["zone-a"])],
            Cluster = [A, B, C, D],
        },
        ["zone hints: an unready endpoint without hints does not disable filtering"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(B, zones: ["zone-b"]), Ep(C, ready: false)],
            Cluster = [A],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: several zones per endpoint, any match counts"] = new()
        {
            Zone = "zone-c",
            Port = PortInfo(),
            Endpoints =
            [
                Ep(A, zones: ["zone-a", "zone-b", "zone-c"]), Ep(B, zones: ["zone-b", "zone-c"]),
                Ep(C, zones: ["zone-b", "zone-d"]), Ep(D, zones: ["zone-c"]),
            ],
            Cluster = [A, B, D],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: conflicting topology and locality merge into allReachable"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, zones: ["zone-a"], local: true), Ep(B, zones: ["zone-b"], local: true), Ep(C, zones: ["zone-a"]), Ep(D, zones: ["zone-b"])],
            Cluster = [A, C],
            Local = [A, B],
            All = [A, B, C],
            Mode = TopologyMode.PreferSameZone,
        },
        ["zone hints: PreferSameZone with every endpoint hinted for the node's zone keeps all"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, zones: ["zone-a"]), Ep(B, zones: ["zone-a", "zone-b"])],
            Cluster = [A, B],
            Mode = TopologyMode.PreferSameZone,
        },
        ["node hints: every Ready endpoint hinted, one for this node: only that one"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints =
            [
                Ep(A, nodes: [NodeName], zones: ["zone-a"]), Ep(B, nodes: ["node-b"], zones: ["zone-a"]),
                Ep(C, nodes: ["node-c"], zones: ["zone-b"]),
            ],
            Cluster = [A],
            Mode = TopologyMode.PreferSameNode,
        },
        ["node hints: feature gate off: zone hints apply instead"] = new()
        {
            Zone = "zone-a",
            PreferSameNode = false,
            Port = PortInfo(),
            Endpoints =
            [
                Ep(A, nodes: [NodeName], zones: ["zone-a"]), Ep(B, nodes: ["node-b"], zones: ["zone-a"]),
                Ep(C, nodes: ["node-c"], zones: ["zone-b"]),
            ],
            Cluster = [A, B],
            Mode = TopologyMode.PreferSameZone,
        },
        ["node hints: feature gate off and no zone hints: no filtering"] = new()
        {
            Zone = "zone-a",
            PreferSameNode = false,
            Port = PortInfo(),
            Endpoints = [Ep(A, nodes: [NodeName]), Ep(B, nodes: ["node-b"])],
            Cluster = [A, B],
        },
        ["node hints: none for this node: fall back to zone hints"] = new()
        {
            Zone = "zone-b",
            Port = PortInfo(),
            Endpoints =
            [
                Ep(A, nodes: ["node-x"], zones: ["zone-a"]), Ep(B, nodes: ["node-y"], zones: ["zone-b"]),
                Ep(C, nodes: ["node-z"], zones: ["zone-b"]),
            ],
            Cluster = [B, C],
            Mode = TopologyMode.PreferSameZone,
        },
        ["node hints: one Ready endpoint lacks node hints: fall back to zone hints"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, nodes: [NodeName], zones: ["zone-b"]), Ep(B, zones: ["zone-a"]), Ep(C, nodes: ["node-c"], zones: ["zone-a"])],
            Cluster = [B, C],
            Mode = TopologyMode.PreferSameZone,
        },
        ["node hints: partial node hints and partial zone hints: no filtering"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, nodes: [NodeName]), Ep(B, zones: ["zone-a"])],
            Cluster = [A, B],
        },
        ["node hints: the hinted endpoint for this node is not Ready: no node filtering"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints = [Ep(A, nodes: [NodeName], ready: false), Ep(B, nodes: ["node-b"]), Ep(C, nodes: ["node-c"])],
            Cluster = [B, C],
        },
        ["node hints: externalTrafficPolicy Local keeps all local endpoints"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, nodes: ["node-b"], local: true), Ep(B, nodes: [NodeName]), Ep(C, nodes: ["node-c"], local: true)],
            Cluster = [B],
            Local = [A, C],
            All = [A, B, C],
            Mode = TopologyMode.PreferSameNode,
        },
        ["internalTrafficPolicy Local: no endpoints"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [],
            Cluster = null,
            Local = [],
        },
        ["internalTrafficPolicy Local: all endpoints remote"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A), Ep(B)],
            Cluster = null,
            Local = [],
            OnlyRemote = true,
        },
        ["internalTrafficPolicy Local: all endpoints local"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, local: true), Ep(B, local: true)],
            Cluster = null,
            Local = [A, B],
        },
        ["internalTrafficPolicy Local: some endpoints local"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, local: true), Ep(B)],
            Cluster = null,
            Local = [A],
        },
        ["internalTrafficPolicy Local: zone hints play no part"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, local: true, zones: ["zone-b"]), Ep(B, zones: ["zone-a"])],
            Cluster = null,
            Local = [A],
        },
        ["internalTrafficPolicy Local: only a local serving-terminating endpoint: use it"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, ready: false, serving: true, terminating: true, local: true), Ep(B)],
            Cluster = null,
            Local = [A],
        },
        ["internalTrafficPolicy Local: local Ready wins over local terminating"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, ready: false, serving: true, terminating: true, local: true), Ep(B, local: true)],
            Cluster = null,
            Local = [B],
        },
        ["internalTrafficPolicy Local: local endpoint terminating but not serving is never used"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, ready: false, serving: false, terminating: true, local: true), Ep(B)],
            Cluster = null,
            Local = [],
            OnlyRemote = true,
        },
        ["internalTrafficPolicy Local: nothing usable anywhere"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A, ready: false, serving: false, local: true), Ep(B, ready: false, serving: false, terminating: true)],
            Cluster = null,
            Local = [],
        },
        ["Cluster policy: no endpoint Ready"] = new()
        {
            Port = PortInfo(),
            Endpoints = [Ep(A, ready: false, serving: false), Ep(B, ready: false, serving: false)],
            Cluster = [],
        },
        ["Cluster policy: some endpoints Ready"] = new()
        {
            Port = PortInfo(),
            Endpoints = [Ep(A, ready: false, serving: false), Ep(B)],
            Cluster = [B],
        },
        ["Cluster policy: all endpoints serving and terminating: fall back to them"] = new()
        {
            Port = PortInfo(),
            Endpoints = [Ep(A, ready: false, serving: true, terminating: true, local: true), Ep(B, ready: false, serving: true, terminating: true)],
            Cluster = [A, B],
        },
        ["Cluster policy: terminating endpoints unused while one is Ready"] = new()
        {
            Port = PortInfo(),
            Endpoints = [Ep(A, ready: false, serving: true, terminating: true), Ep(B), Ep(C, ready: false, serving: true, terminating: true)],
            Cluster = [B],
        },
        ["Cluster policy: terminating but not serving is never used"] = new()
        {
            Port = PortInfo(),
            Endpoints = [Ep(A, ready: false, serving: false, terminating: true), Ep(B, ready: false, serving: true, terminating: false)],
            Cluster = [],
        },
        ["Cluster policy: serving-terminating fallback ignores zone hints"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(),
            Endpoints =
            [
                Ep(A, ready: false, serving: true, terminating: true, zones: ["zone-b"]),
                Ep(B, ready: false, serving: true, terminating: true, zones: ["zone-c"]),
            ],
            Cluster = [A, B],
        },
        ["iTP Local, eTP Cluster, externally accessible: some endpoints local"] = new()
        {
            Port = PortInfo(itpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, local: true), Ep(B)],
            Cluster = [A, B],
            Local = [A],
            All = [A, B],
        },
        ["iTP Cluster, eTP Local: some endpoints local"] = new()
        {
            Port = PortInfo(etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, local: true), Ep(B)],
            Cluster = [A, B],
            Local = [A],
            All = [A, B],
        },
        ["iTP Local, eTP Local: some endpoints local"] = new()
        {
            Port = PortInfo(itpLocal: true, etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, local: true), Ep(B)],
            Cluster = [A, B],
            Local = [A],
            All = [A, B],
        },
        ["iTP Local, eTP Local: all endpoints remote"] = new()
        {
            Port = PortInfo(itpLocal: true, etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A), Ep(B)],
            Cluster = [A, B],
            Local = [],
            All = [A, B],
        },
        ["iTP Local, eTP Local: all endpoints remote and terminating"] = new()
        {
            Port = PortInfo(itpLocal: true, etpLocal: true, nodePort: 30080),
            Endpoints = [Ep(A, ready: false, serving: true, terminating: true), Ep(B, ready: false, serving: true, terminating: true)],
            Cluster = [A, B],
            Local = [],
            All = [A, B],
            OnlyRemote = true,
        },
        ["iTP Cluster, eTP Local: local terminating fallback, remote Ready"] = new()
        {
            Port = PortInfo(etpLocal: true, nodePort: 30080),
            Endpoints =
            [
                Ep(A),
                Ep(B, ready: false, serving: false, local: true),
                Ep(C, ready: false, serving: true, terminating: true, local: true),
                Ep(D, ready: false, serving: true, terminating: true),
            ],
            Cluster = [A],
            Local = [C],
            All = [A, C],
        },
        ["eTP Local via externalIPs only"] = new()
        {
            Port = PortInfo(etpLocal: true, externalIPs: ["198.19.128.10"]),
            Endpoints = [Ep(A, local: true), Ep(B)],
            Cluster = [A, B],
            Local = [A],
            All = [A, B],
        },
        ["eTP Local via LoadBalancer VIPs only"] = new()
        {
            Port = PortInfo(etpLocal: true, lbVips: ["198.19.200.10"]),
            Endpoints = [Ep(B)],
            Cluster = [B],
            Local = [],
            All = [B],
        },
        ["eTP Local ignored when not externally accessible"] = new()
        {
            Port = PortInfo(etpLocal: true),
            Endpoints = [Ep(A), Ep(B, local: true)],
            Cluster = [A, B],
            Local = null,
        },
        ["iTP Local internal-only: no cluster endpoints"] = new()
        {
            Port = PortInfo(itpLocal: true),
            Endpoints = [Ep(A), Ep(B, local: true)],
            Cluster = null,
            Local = [B],
        },
        ["IPv6 endpoints are categorized the same way"] = new()
        {
            Zone = "zone-a",
            Port = PortInfo(etpLocal: true, nodePort: 30080),
            Endpoints = [Ep("[fd00:198:18:40::1]:80", zones: ["zone-a"]), Ep("[fd00:198:18:40::2]:80", zones: ["zone-b"], local: true)],
            Cluster = ["[fd00:198:18:40::1]:80"],
            Local = ["[fd00:198:18:40::2]:80"],
            All = ["[fd00:198:18:40::1]:80", "[fd00:198:18:40::2]:80"],
            Mode = TopologyMode.PreferSameZone,
        },
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Categorize(string name)
    {
        var tc = Cases[name];
        var endpoints = new KubeProxy.Core.Model.EquatableArray<EndpointInfo>(tc.Endpoints.OrderBy(e => e.Key, StringComparer.Ordinal));

        var result = EndpointCategorizer.Categorize(tc.Port, endpoints, NodeName, tc.Zone, tc.PreferSameNode);

        CheckSet("cluster", tc.Cluster, result.Cluster, tc.Port.UsesClusterEndpoints);
        CheckSet("local", tc.Local, result.Local, tc.Port.UsesLocalEndpoints);

        var expectedAll = tc.Cluster is not null && tc.Local is null ? tc.Cluster
            : tc.Local is not null && tc.Cluster is null ? tc.Local
            : tc.All ?? throw new InvalidOperationException("case must give All when both sets are used");
        Assert.Equal(expectedAll.Order(StringComparer.Ordinal), result.AllReachable.Select(e => e.Key));
        Assert.Equal(expectedAll.Length > 0 || tc.OnlyRemote, result.HasAnyEndpoints);
        Assert.Equal(tc.Mode, result.TopologyMode);
    }

    private static void CheckSet(string what, string[]? expected, IReadOnlyList<EndpointInfo> actual, bool used)
    {
        Assert.True(expected is not null == used, $"{what}: the port {(used ? "uses" : "does not use")} these endpoints");
        // Outputs keep the input (key) order, which the data planes rely on for stable rules.
        Assert.Equal((expected ?? []).Order(StringComparer.Ordinal), actual.Select(e => e.Key));
    }

    [Fact]
    public void OutputsAreTheInputInstances()
    {
        // The snapshot builder compares sets by value, but data planes may compare by reference; no copies are made.
        var endpoints = new[] { Ep(A, local: true), Ep(B) };
        var result = EndpointCategorizer.Categorize(PortInfo(etpLocal: true, nodePort: 30080), endpoints, NodeName, null);
        Assert.Same(endpoints[0], result.Local[0]);
        Assert.Same(endpoints[1], result.Cluster[1]);
        Assert.Same(endpoints[0], result.AllReachable[0]);
    }

    [Fact]
    public void EmptyEndpointListHasNothing()
    {
        var result = EndpointCategorizer.Categorize(PortInfo(itpLocal: true, etpLocal: true, nodePort: 30080), [], NodeName, "zone-a");
        Assert.Empty(result.Cluster);
        Assert.Empty(result.Local);
        Assert.Empty(result.AllReachable);
        Assert.False(result.HasAnyEndpoints);
        Assert.Equal(TopologyMode.None, result.TopologyMode);
    }

    [Fact]
    public void TopologyModeIgnoresEndpointsThatAreNotReady()
    {
        // No Ready endpoint at all: every "all have hints" test is vacuously true, but nothing matches this node.
        var endpoints = new[] { Ep(A, ready: false, serving: true, terminating: true, zones: ["zone-a"], nodes: [NodeName]) };
        Assert.Equal(TopologyMode.None, EndpointCategorizer.ChooseTopologyMode(endpoints, NodeName, "zone-a", preferSameNodeEnabled: true));
    }
}
