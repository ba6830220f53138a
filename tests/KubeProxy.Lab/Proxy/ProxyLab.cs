using KubeProxy.Lab.Flows;
using KubeProxy.Lab.Manifests;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Lab.Proxy;

/// <summary>
/// A lab with the real kube-proxy running on its first node, fed from a manifest directory: the setting of
/// every packet-flow test. Echo servers answer on every pod; <see cref="ApplyAsync"/> edits manifests and
/// waits until kube-proxy has synced the change; <see cref="RunFlowsAsync"/> checks a flow table and prints
/// kube-proxy's output and the node's ruleset when it fails.
/// </summary>
public sealed class ProxyLab : IAsyncDisposable
{
    /// <summary>The lab's pod CIDRs, for <c>--cluster-cidr</c> (local traffic detection).</summary>
    public const string ClusterCidrs = "198.18.64.0/18,fd00:198:18:64::/62";

    /// <summary>Every pod answers on these; SCTP is reported unsupported on kernels that refuse it.</summary>
    public static readonly IReadOnlyList<string> EchoListens =
        ["tcp:80", "tcp:8080", "tcp:8443", "tcp:5353", "udp:53", "udp:80", "udp:5353", "sctp:53"];

    private ProxyLab(NetworkLab lab, LabNode node, ManifestDir manifests, KubeProxyProcess kubeProxy, IReadOnlyList<string> args)
    {
        Lab = lab;
        Node = node;
        Manifests = manifests;
        KubeProxy = kubeProxy;
        Args = args;
    }

    public NetworkLab Lab { get; }

    /// <summary>The node kube-proxy runs on (the first node).</summary>
    public LabNode Node { get; }

    public ManifestDir Manifests { get; }

    public KubeProxyProcess KubeProxy { get; }

    public IReadOnlyList<string> Args { get; }

    /// <summary>
    /// node-1 (kube-proxy) with endpoint pods web-1, web-2 and a client pod src-1; node-2 with endpoint pod
    /// web-3 (a remote endpoint); an external client and a blocked external client.
    /// </summary>
    public static LabTopology DefaultTopology() =>
        new LabTopology()
            .AddNode("node-1", "web-1", "web-2", "src-1")
            .AddNode("node-2", "web-3")
            .AddClient("client")
            .AddBlockedClient("blocked");

    /// <summary>The flags every lab kube-proxy gets; tests add their own after these (the last value of a flag wins).</summary>
    public static IReadOnlyList<string> StandardArgs(string manifestDir, string nodeName, string proxyMode) =>
    [
        "--manifests", manifestDir,
        "--hostname-override", nodeName,
        "--proxy-mode", proxyMode,
        "--iptables-min-sync-period=0s",
        "--metrics-bind-address", "127.0.0.1:10249",
        "--healthz-bind-address", "127.0.0.1:10256",
        "--cluster-cidr", ClusterCidrs,
    ];

    /// <summary>
    /// Builds the lab, starts echo servers on every pod, writes the Node and ServiceCIDR manifests plus
    /// <paramref name="initial"/>, runs <paramref name="beforeStart"/> (extra addresses, listeners), starts kube-proxy
    /// on the first node and waits for its first sync.
    /// </summary>
    public static async Task<ProxyLab> StartAsync(string proxyMode, ILogger? logger = null, LabTopology? topology = null,
        IEnumerable<string>? extraArgs = null, IEnumerable<IManifest>? initial = null, Func<NetworkLab, Task>? beforeStart = null)
    {
        var lab = await NetworkLab.StartAsync(topology ?? DefaultTopology(), logger);
        try
        {
            foreach (var pod in lab.Pods)
            {
                await pod.StartEchoAsync([.. EchoListens]);
            }

            var node = lab.Nodes[0];
            var manifests = lab.CreateManifestDir();
            manifests.Write(NodeManifest.For(node));
            manifests.Write(ServiceCidrManifest.Lab());
            foreach (var manifest in initial ?? [])
            {
                manifests.Write(manifest);
            }

            if (beforeStart is not null)
            {
                await beforeStart(lab);
            }

            var args = StandardArgs(manifests.Path, node.Name, proxyMode).Concat(extraArgs ?? []).ToList();
            var started = TimeProvider.System.GetTimestamp();
            var kubeProxy = lab.StartKubeProxy(node, args);
            // The lab is dual-stack: both families must have their rules before the first probe.
            await kubeProxy.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromSeconds(90));
            LogWaited(lab, kubeProxy, "first sync", started);
            return new ProxyLab(lab, node, manifests, kubeProxy, args);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="manifests"/> and waits until kube-proxy has synced all of them. Each Service and
    /// EndpointSlice written must differ from what kube-proxy has (else it is no change and the wait times out).
    /// </summary>
    public Task ApplyAsync(params IManifest[] manifests) => ApplyAsync(
        dir =>
        {
            foreach (var manifest in manifests)
            {
                dir.Write(manifest);
            }
        },
        objectChanges: manifests.Count(m => m is ServiceManifest or EndpointSliceManifest));

    /// <summary>
    /// Makes any edit to the manifest directory (deleting files, say) and waits until kube-proxy has synced it;
    /// <paramref name="objectChanges"/> is how many Services and EndpointSlices the edit changes.
    /// </summary>
    public async Task ApplyAsync(Action<ManifestDir> edit, int objectChanges = 1, TimeSpan? timeout = null)
    {
        var mark = await KubeProxy.Metrics.MarkAsync();
        var started = TimeProvider.System.GetTimestamp();
        edit(Manifests);
        // kube-proxy counts each object change once per IP family it runs.
        var families = Math.Max(1, mark.SyncCounts.Count);
        await KubeProxy.Metrics.WaitForChangesSyncedAsync(mark, objectChanges * families, timeout);
        LogWaited(Lab, KubeProxy, "manifest change synced", started);
    }

    private static void LogWaited(NetworkLab lab, KubeProxyProcess kubeProxy, string what, long started)
    {
        var elapsedMs = (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        LabLog.ProxyWaited(lab.Logger, kubeProxy.Process.DisplayName, what, elapsedMs);
    }

    /// <summary>Runs a flow table; on failure the log also gets kube-proxy's output and the node's nft ruleset.</summary>
    public async Task<IReadOnlyList<FlowResult>> RunFlowsAsync(IEnumerable<PacketFlow> flows, Action<string> log)
    {
        try
        {
            return await FlowTable.RunAsync(flows, log);
        }
        catch
        {
            log($"===== kube-proxy output =====\n{KubeProxy.Output}");
            var ruleset = await Node.Namespace.TryExecAsync("nft", "list", "ruleset");
            log($"===== nft ruleset of {Node.Name} =====\n{ruleset.Stdout}{ruleset.Stderr}");
            throw;
        }
    }

    public ValueTask DisposeAsync() => Lab.DisposeAsync();
}
