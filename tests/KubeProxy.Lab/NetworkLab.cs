using System.Text;
using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Processes;
using KubeProxy.Lab.Proxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Lab;

/// <summary>
/// A running lab on the real kernel: a router namespace between the node network and the client networks,
/// node namespaces with a pod bridge, pod and client namespaces. Everything it made (namespaces, echo servers,
/// processes, manifest directories) is torn down by <see cref="DisposeAsync"/>, also when the test failed.
/// </summary>
/// <example>
/// <code>
/// await using var lab = await NetworkLab.StartAsync(LabTopology.OneNode("web-1", "web-2"), logger);
/// await lab.Pod("web-1").StartEchoAsync("tcp:8080");
/// var result = await lab.Client("client").ProbeAsync(lab.Pod("web-1").IPv4, 8080);
/// </code>
/// </example>
public sealed partial class NetworkLab : IAsyncDisposable
{
    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly List<LabHost> _hosts = [];
    private readonly List<IAsyncDisposable> _tracked = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    private NetworkLab(LabTopology topology, LabRun run, ILogger logger)
    {
        Topology = topology;
        Run = run;
        Logger = logger;
    }

    public LabTopology Topology { get; }

    public LabRun Run { get; }

    /// <summary>The prefix of every namespace of this lab, e.g. <c>kpl-a1b2c3-</c>.</summary>
    public string Prefix => Run.Prefix;

    public ILogger Logger { get; }

    public LabHost Router { get; private set; } = null!;

    public IReadOnlyList<LabNode> Nodes => _hosts.OfType<LabNode>().ToList();

    public IReadOnlyList<LabPod> Pods => _hosts.OfType<LabPod>().ToList();

    public IReadOnlyList<LabHost> Clients => _hosts.Where(h => h.Kind == LabHostKind.Client).ToList();

    public IReadOnlyList<LabHost> BlockedClients => _hosts.Where(h => h.Kind == LabHostKind.BlockedClient).ToList();

    public IReadOnlyList<LabHost> Hosts => _hosts;

    public IReadOnlyList<NetworkNamespace> Namespaces => _namespaces;

    /// <summary>The node the router sends ClusterIP, LoadBalancer and external IP traffic to.</summary>
    public LabNode ServiceNode => Topology.ServiceNode is { } name ? Node(name) : Nodes[0];

    public LabHost Host(string name) =>
        _hosts.FirstOrDefault(h => h.Name == name) ?? throw new KeyNotFoundException($"no host '{name}' in lab {Prefix} ({Topology})");

    public LabNode Node(string name) => Host(name) as LabNode ?? throw new KeyNotFoundException($"'{name}' is not a node");

    public LabPod Pod(string name) => Host(name) as LabPod ?? throw new KeyNotFoundException($"'{name}' is not a pod");

    public LabHost Client(string name) =>
        Host(name) is { Kind: LabHostKind.Client or LabHostKind.BlockedClient } host ? host : throw new KeyNotFoundException($"'{name}' is not a client");

    /// <summary>Builds the topology on the kernel. On failure everything created so far is removed again.</summary>
    public static async Task<NetworkLab> StartAsync(LabTopology topology, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        topology.Validate();
        logger ??= NullLogger.Instance;
        await StaleNamespaceSweeper.SweepOnceAsync(logger);
        var lab = new NetworkLab(topology, LabRun.Create(), logger);
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            await lab.BuildAsync(cancellationToken);
            var elapsedMs = (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
            var description = topology.ToString();
            LabLog.LabStarted(logger, lab.Prefix, elapsedMs, description);
            return lab;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await lab.DisposeAsync();
            throw new LabBuildException(lab.Prefix, e);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>Disposes <paramref name="item"/> with the lab, before the namespaces go (last tracked, first disposed).</summary>
    public T Track<T>(T item)
        where T : IAsyncDisposable
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _tracked.Add(item);
        }

        return item;
    }

    /// <summary>A temporary manifest directory removed with the lab.</summary>
    public ManifestDir CreateManifestDir() => Track(ManifestDir.Create(Prefix));

    /// <summary>Starts the real kube-proxy inside <paramref name="node"/>'s namespace; stopped with the lab.</summary>
    public KubeProxyProcess StartKubeProxy(LabNode node, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        Track(KubeProxyProcess.Start(node, args, Logger, environment));

    /// <summary>Addresses, routes and nft rulesets of every namespace: for a failing test's output.</summary>
    public async Task<string> DescribeAsync()
    {
        var text = new StringBuilder($"lab {Prefix}: {Topology}\n");
        foreach (var host in _hosts)
        {
            text.Append("=== ").Append(host).AppendLine();
            foreach (var args in new[] { new[] { "-br", "addr" }, ["route"], ["-6", "route"] })
            {
                var result = await CommandRunner.RunAsync("ip", ["-n", host.Namespace.Name, .. args]);
                text.Append(result.Stdout).Append(result.Stderr);
            }

            if (host.Kind is LabHostKind.Node or LabHostKind.Router)
            {
                var ruleset = await host.Namespace.TryExecAsync("nft", "list", "ruleset");
                text.Append(ruleset.Stdout).Append(ruleset.Stderr);
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        List<IAsyncDisposable> tracked;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            tracked = [.. _tracked];
        }

        var problems = new List<string>();
        tracked.Reverse();
        foreach (var item in tracked)
        {
            try
            {
                await item.DisposeAsync();
            }
            catch (Exception e)
            {
                problems.Add($"{item}: {e.Message}");
            }
        }

        problems.AddRange(await DeleteNamespacesAsync());
        Run.Dispose();
        foreach (var problem in problems)
        {
            LabLog.TeardownProblem(Logger, Prefix, problem);
        }

        // Not thrown: an exception here would hide the test's own failure. Tests that care read TeardownProblems.
        TeardownProblems = problems;
        LabLog.LabStopped(Logger, Prefix, _namespaces.Count);
    }

    /// <summary>What went wrong while tearing down (empty when all went well); set by <see cref="DisposeAsync"/>.</summary>
    public IReadOnlyList<string> TeardownProblems { get; private set; } = [];

    private async Task<List<string>> DeleteNamespacesAsync()
    {
        var problems = new List<string>();
        foreach (var ns in _namespaces)
        {
            ns.StopThread();
            // Anything still running in a lab namespace was started by this lab (e.g. via `ip netns exec`).
            if (ns.Exists)
            {
                foreach (var pid in await ns.PidsAsync())
                {
                    problems.Add($"pid {pid} still running in {ns.Name}: killed");
                    _ = LibC.kill(pid, 9);
                }
            }
        }

        var existing = _namespaces.Where(n => n.Exists).ToList();
        if (existing.Count > 0)
        {
            // -force: carry on past a namespace that vanished meanwhile; what is left over is checked below.
            var batch = string.Concat(existing.Select(n => $"netns del {n.Name}\n"));
            await CommandRunner.RunAsync("ip", ["-force", "-batch", "-"], batch);
        }

        problems.AddRange(_namespaces.Where(n => n.Exists).Select(n => $"namespace {n.Name} could not be deleted"));
        return problems;
    }
}
