using System.Diagnostics;
using System.Net;
using KubeProxy.Bench.Generation;
using KubeProxy.Bench.Reporting;
using KubeProxy.Core.Model;
using KubeProxy.Core.Tracking;
using KubeProxy.Nftables;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// Sync cost in-process, per cluster shape: a cold full sync into a fresh network namespace, the same script(s)
/// loaded by <c>nft -f</c> alone into another fresh namespace (the kernel-only limit), partial syncs after one
/// endpoint change and after adding one Service, and the process's memory. Compute is tracking (ClusterState
/// updates + SnapshotBuilder) plus render (NftablesDataPlane's RenderTime, which on a full sync includes one
/// <c>nft list table</c>); apply is the nft transaction.
/// </summary>
internal sealed class SyncScenario : IScenario
{
    private const int PartialRuns = 5;

    public string Name => "sync";

    public string Usage => "[--sizes 1000x1,10000x10] [--quick] [--out DIR] [--startup 10000x10|none]";

    public int Run(BenchArguments arguments)
    {
        var quick = arguments.Flag("quick");
        var sizes = arguments.String("sizes", quick ? "1000x1,1000x10,10000x1,10000x10" : "1000x1,1000x10,10000x1,10000x10,5000x50,44000x1,44000x10");
        var outDir = arguments.String("out", "bench-results");
        var startup = arguments.String("startup", "10000x10");
        arguments.EnsureAllUsed();
        if (!Environment.IsPrivilegedProcess) throw new ArgumentException("needs root (network namespaces, nft)");

        var report = new BenchReport
        {
            Started = DateTimeOffset.UtcNow,
            Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            Command = "KubeProxy.Bench sync " + string.Join(' ', Environment.GetCommandLineArgs().Skip(2)),
            Quick = quick,
        };
        foreach (var shape in ParseSizes(sizes))
        {
            try
            {
                var figures = Measure(shape);
                report.Sync.Add(figures);
                Console.WriteLine(ReportWriter.Line(figures));
            }
            catch (Exception e) when (e is InvalidOperationException or Core.Sync.SyncFailedException)
            {
                // One shape that fails (e.g. nft exceeding the runner's timeout on an overloaded machine) is a result too.
                report.Notes.Add($"{shape} failed: {e.Message.Split('\n')[0]}");
                Console.Error.WriteLine($"{shape} failed: {e.Message}");
            }
            // Write after every shape, so a long run that is stopped still leaves its figures.
            ReportWriter.Write(report, outDir);
        }
        if (startup != "none")
        {
            var shape = ParseSizes(startup).Single();
            report.Startup.Add(StartupMeasurement.Run(shape, report.Notes));
            ReportWriter.Write(report, outDir);
        }
        Console.WriteLine($"wrote {Path.Combine(outDir, "results.json")}, results.md and SVG charts");
        return 0;
    }

    internal static IEnumerable<ClusterShape> ParseSizes(string sizes) =>
        sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
        {
            var parts = s.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var n) || !int.TryParse(parts[1], out var m) || n < 1 || m < 1)
                throw new ArgumentException($"size '{s}' is not SERVICESxENDPOINTS");
            return new ClusterShape(n, m);
        }).ToList();

    internal static SyncFigures Measure(ClusterShape shape)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        ProcessMemory.ResetPeak();
        var ns = "kpbench-" + Guid.NewGuid().ToString("N")[..8];
        var fresh = ns + "-k";
        Shell.Run("ip", "netns", "add", ns);
        Shell.Run("ip", "netns", "add", fresh);
        try
        {
            var families = new[] { IPFamily.IPv4, IPFamily.IPv6 };
            var state = new ClusterState(families);
            var builders = families.Select(f => new SnapshotBuilder(f, ClusterGenerator.NodeName)).ToArray();
            var runner = NftProcessRunner.InNetworkNamespace(ns);
            var planes = families.Select(f => new NftablesDataPlane(
                new NftablesOptions
                {
                    Family = f,
                    ClusterCidrs = [f == IPFamily.IPv4 ? ClusterGenerator.PodCidrV4 : ClusterGenerator.PodCidrV6],
                },
                runner, null, NullLogger.Instance, TimeProvider.System,
                () => [ClusterGenerator.NodeIPv4, ClusterGenerator.NodeIPv6])).ToArray();

            // Generating the objects is the API server's work, not ours: build them first, then time the ingest.
            var cluster = ClusterGenerator.Generate(shape).ToList();
            var endpoints = cluster.Sum(c => (long)c.Slices.Sum(s => s.Endpoints.Count));
            var tracking = Stopwatch.StartNew();
            state.SetNode(ClusterGenerator.Node());
            foreach (var (service, slices) in cluster)
            {
                state.UpsertService(service);
                foreach (var slice in slices) state.UpsertEndpointSlice(slice);
            }
            var ingest = tracking.Elapsed;
            var full = SyncAll(builders, planes, state, fullSync: true, ingest);
            var scripts = planes.Select(p => p.LastScript).ToArray();

            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var steady = ProcessMemory.RssKiB() / 1024.0;
            var peak = ProcessMemory.PeakKiB() / 1024.0;

            var kernelOnly = KernelOnly(fresh, scripts);

            var endpointRuns = new List<SyncTiming>();
            for (var r = 0; r < PartialRuns; r++)
            {
                var index = (int)((long)(r + 1) * shape.Services / (PartialRuns + 1));
                var (service, _) = cluster[index];
                var watch = Stopwatch.StartNew();
                foreach (var slice in ClusterGenerator.WithOneEndpointChanged(shape, service, index, r + 1)) state.UpsertEndpointSlice(slice);
                endpointRuns.Add(SyncAll(builders, planes, state, fullSync: false, watch.Elapsed));
            }

            var addRuns = new List<SyncTiming>();
            for (var r = 0; r < PartialRuns; r++)
            {
                var (service, slices) = ClusterGenerator.Extra(shape, shape.Services + r);
                var watch = Stopwatch.StartNew();
                state.UpsertService(service);
                foreach (var slice in slices) state.UpsertEndpointSlice(slice);
                addRuns.Add(SyncAll(builders, planes, state, fullSync: false, watch.Elapsed));
            }

            GC.KeepAlive(cluster);
            return new SyncFigures
            {
                Shape = shape.ToString(),
                Services = shape.Services,
                EndpointsPerService = shape.EndpointsPerService,
                Endpoints = endpoints,
                FullSync = full,
                KernelOnlyMs = kernelOnly,
                EndpointChange = SyncTiming.Median(endpointRuns),
                AddService = SyncTiming.Median(addRuns),
                SteadyRssMiB = steady,
                PeakRssMiB = peak,
            };
        }
        finally
        {
            Shell.Run("ip", "netns", "del", ns);
            Shell.Run("ip", "netns", "del", fresh);
        }
    }

    /// <summary>One sync of every family, as the engine does it: build each family's snapshot, then sync it.</summary>
    private static SyncTiming SyncAll(SnapshotBuilder[] builders, NftablesDataPlane[] planes, ClusterState state, bool fullSync, TimeSpan tracking)
    {
        double trackingMs = tracking.TotalMilliseconds, renderMs = 0, applyMs = 0;
        long bytes = 0;
        for (var i = 0; i < builders.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            var snapshot = builders[i].Build(state);
            trackingMs += watch.Elapsed.TotalMilliseconds;
            var result = planes[i].Sync(snapshot, fullSync, CancellationToken.None);
            renderMs += result.RenderTime.TotalMilliseconds;
            applyMs += result.ApplyTime.TotalMilliseconds;
            bytes += result.TransactionBytes;
        }
        return new SyncTiming(trackingMs, renderMs, applyMs, bytes);
    }

    /// <summary><c>ip netns exec NS nft -f FILE</c> on each saved script, in a namespace that has never seen them.</summary>
    private static double KernelOnly(string ns, string[] scripts)
    {
        var total = 0.0;
        foreach (var script in scripts)
        {
            var file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, script);
                var watch = Stopwatch.StartNew();
                Shell.Run("ip", "netns", "exec", ns, "nft", "-f", file);
                total += watch.Elapsed.TotalMilliseconds;
            }
            finally
            {
                File.Delete(file);
            }
        }
        return total;
    }
}
