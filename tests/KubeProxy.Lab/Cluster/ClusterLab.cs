using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;
using k8s.Models;
using KubeProxy.Lab.ApiServer;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Lab.Cluster;

/// <summary>
/// A whole cluster on one machine: a <see cref="NetworkLab"/> with several nodes (pods answering as echo
/// servers on each), the API test server listening inside every node (<see cref="ClusterApi"/>), and one real
/// kube-proxy per node watching it. Tests change the cluster through the API (<see cref="ApplyAsync"/>,
/// <see cref="DeleteAsync"/>), which waits until every kube-proxy has synced the change, and steer the
/// router (the "cloud load balancer") per IP with <see cref="RouteAsync"/>.
/// </summary>
public sealed class ClusterLab : IAsyncDisposable
{
    /// <summary>The zone label every Node carries; the endpoints of its pods get the same zone.</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    private readonly Dictionary<string, KubeProxyProcess> _proxies;

    private ClusterLab(string mode, NetworkLab lab, ClusterApi api, Dictionary<string, KubeProxyProcess> proxies)
    {
        Mode = mode;
        Lab = lab;
        Api = api;
        _proxies = proxies;
    }

    /// <summary>The proxy mode every kube-proxy of this cluster runs (<c>--proxy-mode</c>).</summary>
    public string Mode { get; }

    public NetworkLab Lab { get; }

    public ClusterApi Api { get; }

    public ClusterAllocator Allocate { get; } = new();

    public IReadOnlyList<LabNode> Nodes => Lab.Nodes;

    public IReadOnlyList<LabPod> Pods => Lab.Pods;

    public IReadOnlyList<KubeProxyProcess> Proxies => [.. _proxies.Values];

    public LabNode Node(string name) => Lab.Node(name);

    public LabPod Pod(string name) => Lab.Pod(name);

    public LabHost Client => Lab.Clients[0];

    public LabHost BlockedClient => Lab.BlockedClients[0];

    public KubeProxyProcess KubeProxy(LabNode node) => _proxies[node.Name];

    /// <summary>Three nodes with two pods each (web-1..web-6), a client and a blocked client.</summary>
    public static LabTopology DefaultTopology() =>
        new LabTopology()
            .AddNode("node-1", "web-1", "web-2")
            .AddNode("node-2", "web-3", "web-4")
            .AddNode("node-3", "web-5", "web-6")
            .AddClient("client")
            .AddBlockedClient("blocked");

    /// <summary>zone-a for the first node, zone-b for the second, ...</summary>
    public static string ZoneOf(LabNode node) => $"zone-{(char)('a' + node.Index)}";

    /// <summary>The Node object of a lab node as the kubelet would register it: addresses, pod CIDRs, hostname and zone labels.</summary>
    public static NodeManifest NodeObject(LabNode node) => NodeManifest.For(node) with
    {
        Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node.Name, [ZoneLabel] = ZoneOf(node) },
    };

    /// <summary>The flags of every kube-proxy of the cluster; extra flags go after these (the last value of a flag wins).</summary>
    public static IReadOnlyList<string> KubeProxyArgs(string kubeconfig, string nodeName, string mode) =>
    [
        "--kubeconfig", kubeconfig,
        "--hostname-override", nodeName,
        "--proxy-mode", mode,
        "--iptables-min-sync-period=0s",
        "--metrics-bind-address", "127.0.0.1:10249",
        "--healthz-bind-address", "0.0.0.0:10256",
        "--cluster-cidr", ProxyLab.ClusterCidrs,
    ];

    /// <summary>
    /// Builds the topology, starts echo servers (<see cref="ProxyLab.EchoListens"/>) on every pod, the API server in
    /// every node with the Node objects and the ServiceCIDR plus <paramref name="initial"/>, runs
    /// <paramref name="beforeStart"/>, then one kube-proxy per node, and waits until each has synced both families.
    /// <paramref name="initialObjects"/> are API objects as they are (a manifest directory's, say), stored after the rest.
    /// Everything is torn down again if any step fails.
    /// </summary>
    public static async Task<ClusterLab> StartAsync(string mode, ILogger? logger = null, LabTopology? topology = null,
        IEnumerable<string>? extraArgs = null, IEnumerable<IManifest>? initial = null, Func<NetworkLab, Task>? beforeStart = null,
        IEnumerable<IKubernetesObject<V1ObjectMeta>>? initialObjects = null)
    {
        var lab = await NetworkLab.StartAsync(topology ?? DefaultTopology(), logger);
        try
        {
            foreach (var pod in lab.Pods)
            {
                await pod.StartEchoAsync([.. ProxyLab.EchoListens]);
            }

            var api = lab.Track(await ClusterApi.StartAsync(lab.Nodes.Select(n => n.Namespace)));
            api.Apply([.. lab.Nodes.Select(NodeObject), ServiceCidrManifest.Lab(), .. initial ?? []]);
            api.Server.UpsertAll(initialObjects ?? []);
            if (beforeStart is not null)
            {
                await beforeStart(lab);
            }

            var started = TimeProvider.System.GetTimestamp();
            var extra = (extraArgs ?? []).ToList();
            var proxies = lab.Nodes.ToDictionary(n => n.Name,
                n => lab.StartKubeProxy(n, [.. KubeProxyArgs(api.KubeconfigPath, n.Name, mode), .. extra]));
            // The lab is dual-stack: both families must have their rules before the first probe.
            await Task.WhenAll(proxies.Values.Select(p => p.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromSeconds(120))));
            var (who, elapsedMs) = ($"{proxies.Count} kube-proxies ({mode})", ElapsedMs(started));
            LabLog.ProxyWaited(lab.Logger, who, "first sync", elapsedMs);
            return new ClusterLab(mode, lab, api, proxies);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stores <paramref name="manifests"/> in the API server (create or replace) and waits until every kube-proxy has
    /// synced them. Each Service and EndpointSlice must differ from what the server holds, else nothing changes
    /// and the wait times out.
    /// </summary>
    public Task ApplyAsync(params IManifest[] manifests) =>
        ChangeAsync(api => api.Apply(manifests), manifests.Count(m => m is ServiceManifest), manifests.Count(m => m is EndpointSliceManifest));

    public Task ApplyAsync(IEnumerable<IManifest> manifests) => ApplyAsync([.. manifests]);

    /// <summary>Deletes <paramref name="manifests"/>' objects from the API server and waits until every kube-proxy has synced that.</summary>
    public Task DeleteAsync(params IManifest[] manifests) =>
        ChangeAsync(api => api.Delete(manifests), manifests.Count(m => m is ServiceManifest), manifests.Count(m => m is EndpointSliceManifest));

    /// <summary>
    /// Makes any change through the API and waits until every kube-proxy has synced it: <paramref name="serviceChanges"/>
    /// and <paramref name="sliceChanges"/> say how many Services and EndpointSlices it changes, counted as upstream
    /// counts them (a Service once per IP family, an EndpointSlice once). A change of nothing kube-proxy
    /// watches (both zero) returns at once.
    /// </summary>
    public async Task ChangeAsync(Action<ClusterApi> change, int serviceChanges, int sliceChanges, TimeSpan? timeout = null)
    {
        var proxies = Proxies;
        var marks = await Task.WhenAll(proxies.Select(p => p.Metrics.MarkAsync()));
        var started = TimeProvider.System.GetTimestamp();
        change(Api);
        if (serviceChanges + sliceChanges == 0)
        {
            return;
        }

        await Task.WhenAll(proxies.Select((p, i) =>
            p.Metrics.WaitForChangesSyncedAsync(marks[i], (serviceChanges * Math.Max(1, marks[i].SyncCounts.Count)) + sliceChanges, timeout)));
        var (who, elapsedMs) = ($"{proxies.Count} kube-proxies", ElapsedMs(started));
        LabLog.ProxyWaited(Lab.Logger, who, "API change synced", elapsedMs);
    }

    /// <summary>
    /// Routes <paramref name="address"/> on the router (the fabric and "cloud load balancer") to
    /// <paramref name="nodes"/>: one node, or several as an ECMP route. A host route beats the lab's range routes.
    /// </summary>
    public Task RouteAsync(IPAddress address, params LabNode[] nodes)
    {
        if (nodes.Length == 0)
        {
            throw new ArgumentException("route to at least one node", nameof(nodes));
        }

        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        string Gateway(LabNode n) => (v6 ? n.IPv6 : n.IPv4).ToString();
        var route = new List<string> { v6 ? "-6" : "-4", "route", "replace", $"{address}/{(v6 ? 128 : 32)}" };
        if (nodes.Length == 1)
        {
            route.AddRange(["via", Gateway(nodes[0])]);
        }
        else
        {
            foreach (var node in nodes)
            {
                route.AddRange(["nexthop", "via", Gateway(node)]);
            }
        }

        return Lab.Router.Namespace.IpAsync([.. route]);
    }

    /// <summary>Removes a host route made by <see cref="RouteAsync"/>; the lab's range route applies again.</summary>
    public async Task RemoveRouteAsync(IPAddress address)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        _ = await Lab.Router.Namespace.TryExecAsync("ip", v6 ? "-6" : "-4", "route", "del", $"{address}/{(v6 ? 128 : 32)}");
    }

    /// <summary>Every kube-proxy's output and the lab's addresses, routes and rulesets: for a failing test.</summary>
    public async Task<string> DescribeAsync(int outputTailLines = 200)
    {
        var text = new StringBuilder();
        foreach (var (node, proxy) in _proxies)
        {
            var lines = proxy.Output.Split('\n');
            text.Append("===== last ").Append(outputTailLines).Append(" lines of kube-proxy on ").Append(node).AppendLine(" =====");
            text.AppendJoin('\n', lines.Skip(Math.Max(0, lines.Length - outputTailLines))).AppendLine();
        }

        text.AppendLine("===== lab state =====").Append(await Lab.DescribeAsync());
        return text.ToString();
    }

    public ValueTask DisposeAsync() => Lab.DisposeAsync();

    private static long ElapsedMs(long started) => (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
}
