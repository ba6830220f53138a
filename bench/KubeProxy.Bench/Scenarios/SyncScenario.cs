using System.Diagnostics;
using System.Net;
using KubeProxy.Bench.Generation;
using KubeProxy.Bench.Reporting;
using KubeProxy.Core.Model;
using KubeProxy.Core.Tracking;
using KubeProxy.Nftables;
using KubeProxy.Nftables.Execution;
using KubeProxy.Nftables.Rendering;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// Sync cost in-process, per cluster shape: a cold full sync into a fresh network namespace, the same full sync as
/// nft text loaded by <c>nft -f</c> alone into another fresh namespace (the kernel-only limit: what upstream's way
/// of applying costs at best), partial syncs after one endpoint change and after adding one Service, and the
/// process's memory. Compute is tracking (ClusterState updates + SnapshotBuilder) plus render (NftablesDataPlane's
/// RenderTime, which on a full sync includes listing our tables and encoding the netlink batch); apply is the kernel
/// transaction: as kube-proxy does it, a full sync's fixed part through <c>nft -f</c> and its Services as one
/// nf_tables netlink batch, partial syncs as netlink batches; with <c>--apply-via nft</c> everything through
/// <c>nft -f</c>, for comparison.
/// </summary>
internal sealed class SyncScenario : IScenario
{
    private const int PartialRuns = 5;

    public string Name => "sync";

    public string Usage => "[--sizes 1000x1,10000x10] [--quick] [--out DIR] [--startup 10000x10|none] [--render-only DIR] [--apply-via netlink|nft] [--service-tables N]";

    public int Run(BenchArguments arguments)
    {
        var quick = arguments.Flag("quick");
        var sizes = arguments.String("sizes", quick ? "1000x1,1000x10,10000x1,10000x10" : "1000x1,1000x10,10000x1,10000x10,5000x50,44000x1,44000x10");
        var outDir = arguments.String("out", "bench-results");
        var startup = arguments.String("startup", "10000x10");
        var renderOnly = arguments.String("render-only", "");
        var applyVia = arguments.String("apply-via", "netlink");
        if (applyVia is not ("netlink" or "nft")) throw new ArgumentException("--apply-via is netlink or nft");
        var serviceTables = arguments.Int("service-tables", NftablesOptions.DefaultServiceTables);
        if (serviceTables is < 1 or > ServiceTables.MaxCount) throw new ArgumentException($"--service-tables is 1 to {ServiceTables.MaxCount}");
        arguments.EnsureAllUsed();
        if (renderOnly.Length > 0)
        {
            foreach (var shape in ParseSizes(sizes)) RenderOnly(shape, renderOnly, serviceTables);
            return 0;
        }
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
                var figures = Measure(shape, applyVia == "netlink", serviceTables);
                report.Sync.Add(figures);
                Console.WriteLine(ReportWriter.Line(figures));
            }
            catch (Exception e) when (e is InvalidOperationException or Core.Sync.SyncFailedException)
            {
                // One shape that fails (e.g. nft exceeding the runner's timeout on an overloaded machine) is a result too.
                report.Notes.Add($"{shape} failed: {e.Message.Split('\n')[0]}");
                Console.Error.WriteLine($"{shape} failed: {e}");
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

    internal static SyncFigures Measure(ClusterShape shape, bool viaNetlink = true, int serviceTables = NftablesOptions.DefaultServiceTables)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        ProcessMemory.ResetPeak();
        var ns = "kpbench-" + Guid.NewGuid().ToString("N")[..8];
        SavingRunner? runner = null;
        NftNetlinkApplier? netlink = null;
        var fresh = ns + "-k";
        Shell.Run("ip", "netns", "add", ns);
        Shell.Run("ip", "netns", "add", fresh);
        try
        {
            var families = new[] { IPFamily.IPv4, IPFamily.IPv6 };
            var state = new ClusterState(families);
            var builders = families.Select(f => new SnapshotBuilder(f, ClusterGenerator.NodeName)).ToArray();
            runner = new SavingRunner(NftProcessRunner.InNetworkNamespace(ns));
            netlink = viaNetlink ? NftNetlinkApplier.InNetworkNamespace(ns) : null;
            var planes = families.Select(f => new NftablesDataPlane(
                new NftablesOptions
                {
                    Family = f,
                    ClusterCidrs = [f == IPFamily.IPv4 ? ClusterGenerator.PodCidrV4 : ClusterGenerator.PodCidrV6],
                    ServiceTables = serviceTables,
                },
                runner, null, NullLogger.Instance, TimeProvider.System,
                () => [ClusterGenerator.NodeIPv4, ClusterGenerator.NodeIPv6], netlink)).ToArray();

            // Generating the objects is the API server's work, not ours: build them first, then time the ingest.
            var cluster = ClusterGenerator.Generate(shape).ToList();
            var endpoints = cluster.Sum(c => (long)c.Slices.Sum(s => s.Endpoints.Count));
            var gcPause = GC.GetTotalPauseDuration();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var tracking = Stopwatch.StartNew();
            state.SetNode(ClusterGenerator.Node());
            foreach (var (service, slices) in cluster)
            {
                state.UpsertService(service);
                foreach (var slice in slices) state.UpsertEndpointSlice(slice);
            }
            var ingest = tracking.Elapsed;
            var full = SyncAll(builders, planes, state, fullSync: true, ingest);
            // Where compute goes besides our code: the garbage collector's pauses and what the cold sync allocated.
            Console.WriteLine($"{shape} cold full sync: {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:F0} MiB allocated, " +
                $"GC paused {(GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds:F0} ms ({GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 so far)");

            MemoryDetail.Print($"{shape} after the full sync");
            // The collection kube-proxy itself runs after a full sync (MemoryTrimHook), so that steady RSS is what the
            // process settles at rather than the heap a forced GC leaves committed.
            ProcessMemory.TrimLikeKubeProxy();
            var steady = ProcessMemory.RssKiB() / 1024.0;
            MemoryDetail.Print($"{shape} steady");
            var peak = ProcessMemory.PeakKiB() / 1024.0;
            var managed = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;

            // The same full sync as nft text (a plane without netlink, whose runner only saves the script), loaded by
            // nft alone. After the memory figures: this rendering is not part of what kube-proxy holds.
            foreach (var family in families)
            {
                new NftablesDataPlane(
                    new NftablesOptions
                    {
                        Family = family,
                        ClusterCidrs = [family == IPFamily.IPv4 ? ClusterGenerator.PodCidrV4 : ClusterGenerator.PodCidrV6],
                        ServiceTables = serviceTables,
                    },
                    new SavingRunner(new DiscardingRunner(), runner.Saved) { SaveNext = true }, null, NullLogger.Instance, TimeProvider.System,
                    () => [ClusterGenerator.NodeIPv4, ClusterGenerator.NodeIPv6])
                    .Sync(new SnapshotBuilder(family, ClusterGenerator.NodeName).Build(state), fullSync: true, CancellationToken.None);
            }
            var kernelOnly = KernelOnly(fresh, runner.Saved);

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

            // The periodic full sync: the same cluster again, over everything the kernel now holds.
            var resync = SyncAll(builders, planes, state, fullSync: true, TimeSpan.Zero);

            GC.KeepAlive(cluster);
            return new SyncFigures
            {
                Shape = shape.ToString(),
                Services = shape.Services,
                EndpointsPerService = shape.EndpointsPerService,
                Endpoints = endpoints,
                FullSync = full,
                KernelOnlyMs = kernelOnly,
                FullResync = resync,
                EndpointChange = SyncTiming.Median(endpointRuns),
                AddService = SyncTiming.Median(addRuns),
                SteadyRssMiB = steady,
                PeakRssMiB = peak,
                ManagedHeapMiB = managed,
            };
        }
        finally
        {
            netlink?.Dispose();
            Shell.Run("ip", "netns", "del", ns);
            Shell.Run("ip", "netns", "del", fresh);
            foreach (var file in runner?.Saved ?? []) File.Delete(file);
        }
    }

    /// <summary>Writes the full-sync script of each family to DIR/SHAPE-FAMILY.nft without touching the kernel (a fake
    /// runner), for loading by hand: <c>ip netns exec NS nft -f FILE</c>.</summary>
    private static void RenderOnly(ClusterShape shape, string dir, int serviceTables)
    {
        Directory.CreateDirectory(dir);
        var families = new[] { IPFamily.IPv4, IPFamily.IPv6 };
        var state = new ClusterState(families);
        state.SetNode(ClusterGenerator.Node());
        foreach (var (service, slices) in ClusterGenerator.Generate(shape))
        {
            state.UpsertService(service);
            foreach (var slice in slices) state.UpsertEndpointSlice(slice);
        }
        foreach (var family in families)
        {
            NftablesDataPlane Plane(INftRunner runner, bool keep) => new(
                new NftablesOptions
                {
                    Family = family,
                    ClusterCidrs = [family == IPFamily.IPv4 ? ClusterGenerator.PodCidrV4 : ClusterGenerator.PodCidrV6],
                    KeepLastScript = keep,
                    ServiceTables = serviceTables,
                },
                runner, null, NullLogger.Instance, TimeProvider.System,
                () => [ClusterGenerator.NodeIPv4, ClusterGenerator.NodeIPv6]);
            var snapshot = new SnapshotBuilder(family, ClusterGenerator.NodeName).Build(state);

            // Measured: render and hand the script to a runner that discards it. CPU time and allocations are the
            // load-independent figures on a shared machine.
            var cpu = Environment.CpuUsage.TotalTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var gen2 = GC.CollectionCount(2);
            var result = Plane(new DiscardingRunner(), keep: false).Sync(snapshot, fullSync: true, CancellationToken.None);
            var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
            var allocatedMiB = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;

            // Not measured: the same again, kept, for the file.
            var keeper = Plane(new FakeNftRunner(), keep: true);
            keeper.Sync(snapshot, fullSync: true, CancellationToken.None);
            var file = Path.Combine(dir, $"{shape}-{family.Label()}.nft");
            File.WriteAllText(file, keeper.LastScript);
            Console.WriteLine($"{file}: {result.TransactionBytes:N0} bytes, rendered in {result.RenderTime.TotalMilliseconds:F0} ms " +
                $"(process CPU {cpuMs:F0} ms, {allocatedMiB:F0} MiB allocated, {GC.CollectionCount(2) - gen2} gen2 GCs)");
        }
    }

    /// <summary>A runner that accepts every script and keeps none (render-only measurements).</summary>
    private sealed class DiscardingRunner : INftRunner
    {
        public void Apply(string script) { }

        public void Apply(Nftables.Rendering.NftScript script) { }

        public Nftables.Execution.TableListing List(Nftables.Rendering.NftFamily family, string table) => Nftables.Execution.TableListing.Empty;
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
    private static double KernelOnly(string ns, IEnumerable<string> files)
    {
        var total = 0.0;
        foreach (var file in files)
        {
            var watch = Stopwatch.StartNew();
            Shell.Run("ip", "netns", "exec", ns, "nft", "-f", file);
            total += watch.Elapsed.TotalMilliseconds;
        }
        return total;
    }

    /// <summary>Applies through nft and, while <see cref="SaveNext"/> is set, also writes each script to a temporary
    /// file for the kernel-only run: the bench must not hold the full-sync scripts in memory, or its RSS figures
    /// would count tens of megabytes that kube-proxy does not keep.</summary>
    private sealed class SavingRunner(INftRunner inner, List<string>? saved = null) : INftRunner
    {
        public bool SaveNext { get; set; }

        public List<string> Saved { get; } = saved ?? [];

        public void Apply(string script)
        {
            Save(stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(script)));
            inner.Apply(script);
        }

        public void Apply(Nftables.Rendering.NftScript script)
        {
            Save(script.WriteTo);
            inner.Apply(script);
        }

        public Nftables.Execution.TableListing List(Nftables.Rendering.NftFamily family, string table) => inner.List(family, table);

        private void Save(Action<Stream> write)
        {
            if (!SaveNext) return;
            var file = Path.GetTempFileName();
            using (var stream = File.Create(file)) write(stream);
            Saved.Add(file);
        }
    }
}
