using System.Runtime.InteropServices;
using KubeProxy.Lab.Cluster;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Lab.Cli;

/// <summary>
/// <c>kubeproxy-lab up [--mode nftables] [--manifests DIR]</c>: starts a ClusterLab, loads the manifests into its API
/// server, prints how to explore it and runs until SIGINT or SIGTERM, then tears everything down.
/// </summary>
internal static class Program
{
    private const string Usage = "usage: kubeproxy-lab up [--mode nftables] [--manifests DIR] [--state-file FILE]";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "up")
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var (mode, manifests, stateFile) = ("nftables", (string?)null, (string?)null);
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--mode" when i + 1 < args.Length:
                    mode = args[++i];
                    break;
                case "--manifests" when i + 1 < args.Length:
                    manifests = args[++i];
                    break;
                case "--state-file" when i + 1 < args.Length:
                    stateFile = args[++i];
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        if (!Testing.LabEnvironment.IsRoot)
        {
            await Console.Error.WriteLineAsync("the lab needs root (network namespaces, nftables)");
            return 1;
        }

        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
        var logger = loggerFactory.CreateLogger("lab");
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        var objects = manifests is null ? [] : ManifestFiles.Load(manifests, w => Console.Error.WriteLine(w));
        // The objects are in the API server before any kube-proxy starts: "lab ready" means they are programmed.
        await using var cluster = await ClusterLab.StartAsync(mode, logger, ExampleTopology(), beforeStart: AddExampleAddressesAsync,
            initialObjects: objects);
        try
        {
            if (stateFile is not null)
            {
                await File.WriteAllTextAsync(stateFile, $"{Environment.ProcessId} {cluster.Lab.Prefix}\n", CancellationToken.None);
            }

            Console.WriteLine(Explore.Text(cluster, objects.Count, manifests));
            Console.WriteLine("lab ready");
            await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            Console.WriteLine("stopping: tearing the lab down");
        }
        finally
        {
            if (stateFile is not null)
            {
                File.Delete(stateFile);
            }
        }

        return 0;
    }

    /// <summary>
    /// The e2e topology plus <c>dns-1</c> on node-1, the pod examples/cluster uses for its DNS Service: the example's
    /// web-1 (198.18.64.11) and web-2 (.12) are lab pods already; dns-1 gets the example's address .21 as a second one.
    /// </summary>
    private static LabTopology ExampleTopology() =>
        new LabTopology()
            .AddNode("node-1", "web-1", "web-2", "dns-1")
            .AddNode("node-2", "web-3", "web-4")
            .AddNode("node-3", "web-5", "web-6")
            .AddClient("client")
            .AddBlockedClient("blocked");

    private static async Task AddExampleAddressesAsync(NetworkLab lab)
    {
        var dns = lab.Pod("dns-1");
        await dns.AddAddressAsync("198.18.64.21/24");
        await dns.AddAddressAsync("fd00:198:18:64::21/64");
    }
}
