using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Linux.Conntrack;
using KubeProxy.Linux.Netlink;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// Stale-flow cleanup at scale: fills a throw-away network namespace's conntrack table through ctnetlink
/// (IPCTNL_MSG_CT_NEW in batches), then runs <see cref="ConntrackReconciler"/> against a snapshot in which a share
/// of the flows point at endpoints that no longer exist, and reports wall time and the process's peak memory.
/// </summary>
internal sealed class ConntrackScenario : IScenario
{
    private const string MaxPath = "/proc/sys/net/netfilter/nf_conntrack_max";

    public string Name => "conntrack";

    public string Usage =>
        "[--entries 1000000] [--stale-percent 1] [--tcp-percent 0] [--services 1000] [--endpoints 10] [--compare-cli] [--keep]";

    public int Run(BenchArguments arguments)
    {
        var entries = arguments.Int("entries", 1_000_000);
        var stalePercent = arguments.Double("stale-percent", 1);
        var tcpPercent = arguments.Double("tcp-percent", 0);
        var services = arguments.Int("services", 1000);
        var endpoints = arguments.Int("endpoints", 10);
        var compareCli = arguments.Flag("compare-cli");
        var keep = arguments.Flag("keep");
        arguments.EnsureAllUsed();
        if (!Environment.IsPrivilegedProcess) throw new ArgumentException("needs root (network namespaces, ctnetlink)");
        if (services is < 1 or > 4000 || endpoints is < 1 || (long)services * endpoints > 15000)
            throw new ArgumentException("--services 1..4000 and services × endpoints ≤ 15000 (the test address plan)");

        var plan = new FlowPlan(entries, stalePercent, tcpPercent, services, endpoints);
        var name = $"kpbench-{Guid.NewGuid().ToString("N")[..8]}";
        var originalMax = File.ReadAllText(MaxPath).Trim();
        Console.WriteLine($"conntrack cleanup benchmark: {entries:N0} entries ({plan.StaleCount:N0} stale UDP, {plan.TcpCount:N0} TCP), " +
            $"{services} UDP services × {endpoints} endpoints, namespace {name}");
        Shell.Run("ip", "netns", "add", name);
        try
        {
            // On this kernel nf_conntrack_max is global: other namespaces see it read-only. Raise it for the run only.
            var needed = entries + entries / 10 + 1024;
            if (long.Parse(originalMax, System.Globalization.CultureInfo.InvariantCulture) < needed)
            {
                File.WriteAllText(MaxPath, needed.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Console.WriteLine($"raised global nf_conntrack_max {originalMax} -> {needed} for the run");
            }

            using var client = ConntrackClient.Open(new NetlinkSocketOptions { NetworkNamespacePath = NetworkNamespace.PathOf(name) });
            Fill(client, plan);
            var count = Count(name);
            if (count != entries) throw new InvalidOperationException($"namespace holds {count} entries, expected {entries}");

            var snapshot = plan.Snapshot();
            var reconciler = new ConntrackReconciler(client, NullLogger<ConntrackReconciler>.Instance);
            var live = entries - plan.StaleCount;
            // 1: a fresh process (code not yet compiled), as at kube-proxy's first sync.
            var ok = Measure("cold, stale flows present", reconciler, snapshot, name, plan.StaleCount, live);
            // 2: the steady state: as many new stale flows again, then a cleanup by the now-warm code.
            var restale = new ConntrackEntry[plan.StaleCount];
            for (var i = 0; i < restale.Length; i++) restale[i] = plan.StaleFlow(i);
            client.Create(restale, 3600);
            ok &= Measure("warm, stale flows present", reconciler, snapshot, name, plan.StaleCount, live);
            // 3: nothing to delete: the price of looking.
            ok &= Measure("warm, nothing stale", reconciler, snapshot, name, 0, live);
            MeasureRawDump(client);
            if (compareCli) ok &= CompareCli(name, live);
            return ok ? 0 : 1;
        }
        finally
        {
            if (keep)
            {
                // For investigation (perf, the conntrack tool): the caller deletes the namespace and restores the limit.
                Console.WriteLine($"kept namespace {name}; afterwards: ip netns del {name}; echo {originalMax} > {MaxPath}");
            }
            else
            {
                Shell.Run("ip", "netns", "del", name);
                if (File.ReadAllText(MaxPath).Trim() != originalMax) File.WriteAllText(MaxPath, originalMax);
            }
        }
    }

    private static void Fill(ConntrackClient client, FlowPlan plan)
    {
        var watch = Stopwatch.StartNew();
        var chunk = new ConntrackEntry[8192];
        for (var start = 0; start < plan.Entries; start += chunk.Length)
        {
            var n = Math.Min(chunk.Length, plan.Entries - start);
            for (var i = 0; i < n; i++) chunk[i] = plan.Flow(start + i);
            client.Create(chunk.AsSpan(0, n), 3600);
        }
        Console.WriteLine($"inserted {plan.Entries:N0} entries via IPCTNL_MSG_CT_NEW in {watch.Elapsed.TotalSeconds:F2} s " +
            $"({plan.Entries / watch.Elapsed.TotalSeconds:N0}/s)");
    }

    private static bool Measure(string run, ConntrackReconciler reconciler, ProxySnapshot snapshot, string ns, int expectedDeleted, int expectedLeft)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var idle = ProcessMemory.RssKiB();
        ProcessMemory.ResetPeak();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var sysBefore = self.PrivilegedProcessorTime;
        var watch = Stopwatch.StartNew();

        var result = reconciler.CleanStaleEntries(snapshot);

        watch.Stop();
        self.Refresh();
        // User + system time of this process: the kernel builds dump messages inside our recvmsg calls, so this
        // counts the kernel's share too, and unlike wall time it does not grow when other work shares the CPUs.
        var cpu = self.TotalProcessorTime - cpuBefore;
        var sys = self.PrivilegedProcessorTime - sysBefore;
        var peak = ProcessMemory.PeakKiB();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var left = Count(ns);
        var ok = result.Succeeded && result.Deleted == expectedDeleted && left == expectedLeft;
        Console.WriteLine($"{run}: examined {result.Examined:N0}, deleted {result.Deleted:N0} in {watch.Elapsed.TotalSeconds:F3} s (CPU {cpu.TotalSeconds:F3} s, of which kernel {sys.TotalSeconds:F3} s); " +
            $"RSS idle {ProcessMemory.MiB(idle)}, peak {ProcessMemory.MiB(peak)} (+{ProcessMemory.MiB(peak - idle)}); " +
            $"managed allocations {allocated / 1024.0 / 1024.0:F2} MiB, gen0 GCs {GC.CollectionCount(0) - gen0}; " +
            $"{left:N0} entries left {(ok ? "(as expected)" : $"MISMATCH: expected {expectedDeleted} deleted, {expectedLeft} left; error {result.Error?.Message}")}");
        return ok;
    }

    /// <summary>The floor under the cleanup: the same UDP dump with a visitor that does nothing.</summary>
    private static void MeasureRawDump(ConntrackClient client)
    {
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var sysBefore = self.PrivilegedProcessorTime;
        var watch = Stopwatch.StartNew();
        var visited = client.Dump(IPFamily.IPv4, IPProtocolNumber.Udp, (in ConntrackEntry _) => { });
        watch.Stop();
        self.Refresh();
        Console.WriteLine($"dump only (parse, no matching, no deletes): {visited:N0} entries in {watch.Elapsed.TotalSeconds:F3} s " +
            $"(CPU {(self.TotalProcessorTime - cpuBefore).TotalSeconds:F3} s, of which kernel {(self.PrivilegedProcessorTime - sysBefore).TotalSeconds:F3} s)");
    }

    private static bool CompareCli(string ns, int expected)
    {
        // The conntrack tool's own listing of the same table (inside the bench namespace: ctnetlink is per
        // namespace), for scale. Its CPU is another process's, so bash's `time` reports it (real/user/sys).
        // pipefail and a visible stderr: a missing tool or a failed dump must not read as "0 entries".
        const string script = """
            set -o pipefail
            command -v conntrack >/dev/null || { echo "the conntrack tool is not installed (scripts/install-deps)" >&2; exit 127; }
            TIMEFORMAT='time: %R s wall, %U s user, %S s kernel'
            { time conntrack -L -p udp -f ipv4 | wc -l; } 2>&1
            """;
        var output = Shell.Run("ip", "netns", "exec", ns, "bash", "-c", script);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var listed = lines.Select(l => int.TryParse(l, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1).FirstOrDefault(n => n >= 0, -1);
        var time = lines.FirstOrDefault(l => l.StartsWith("time: ", StringComparison.Ordinal))?["time: ".Length..] ?? "time not reported";
        // conntrack prints its own "N flow entries have been shown" on stderr: a second witness of the count.
        var summary = lines.FirstOrDefault(l => l.Contains("flow entries", StringComparison.Ordinal));
        Console.WriteLine($"for comparison: `conntrack -L -p udp -f ipv4 | wc -l` in the namespace listed {listed:N0} entries " +
            $"{(listed == expected ? "(as expected)" : $"(MISMATCH: the table holds {expected:N0})")}: {time}" +
            (summary is null ? "" : $"; conntrack: \"{summary}\""));
        return listed == expected;
    }

    private static int Count(string ns) =>
        int.Parse(Shell.Run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/netfilter/nf_conntrack_count").Trim(),
            System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Deterministic flows: clients 198.19.128.1-250 with distinct source ports, to service ClusterIPs in
    /// 198.19.0.0/20 port 53, DNATed to endpoints in 198.18.64.0/18; a stale flow's reply comes from 198.18.127.x,
    /// an address no endpoint has.
    /// </summary>
    private sealed class FlowPlan(int entries, double stalePercent, double tcpPercent, int services, int endpoints)
    {
        private readonly int _staleEvery = stalePercent > 0 ? (int)Math.Round(100 / stalePercent) : int.MaxValue;
        private readonly int _tcpEvery = tcpPercent > 0 ? (int)Math.Round(100 / tcpPercent) : int.MaxValue;

        public int Entries => entries;

        public int StaleCount => Enumerable.Range(0, entries).Count(i => IsStale(i) && !IsTcp(i));

        public int TcpCount => Enumerable.Range(0, entries).Count(IsTcp);

        /// <summary>A new UDP flow (index past the table's) whose endpoint is gone.</summary>
        public ConntrackEntry StaleFlow(int k) => Make(entries + k, tcp: false, stale: true);

        public ConntrackEntry Flow(int i) => Make(i, IsTcp(i), IsStale(i) && !IsTcp(i));

        private ConntrackEntry Make(int i, bool tcp, bool stale)
        {
            var service = i % services;
            var client = Address(198, 19, 128, 1 + (i % 250));
            var sourcePort = (ushort)(1024 + (i / 250) % 64000);
            var endpoint = EndpointAddress(service, (i / services) % endpoints);
            var replySource = stale ? Address(198, 18, 127, 1 + service % 250) : endpoint;
            return new ConntrackEntry
            {
                Protocol = tcp ? IPProtocolNumber.Tcp : IPProtocolNumber.Udp,
                Original = new ConntrackTuple(client, ClusterIP(service), sourcePort, (ushort)(tcp ? 80 : 53)),
                Reply = new ConntrackTuple(replySource, client, (ushort)(tcp ? 8080 : 5353), sourcePort),
                Status = Ctstatus.SeenReplyAssured,
            };
        }

        public ProxySnapshot Snapshot()
        {
            var ports = new List<ServicePortState>();
            for (var s = 0; s < services; s++)
            {
                var eps = Enumerable.Range(0, endpoints)
                    .Select(j => new EndpointInfo { IP = EndpointAddress(s, j).ToIPAddress(), Port = 5353, Ready = true, Serving = true })
                    .ToEquatableArray();
                foreach (var (protocol, port, portName) in new[] { (Protocol.UDP, 53, "dns"), (Protocol.TCP, 80, "http") })
                {
                    var info = new ServicePortInfo
                    {
                        Name = new ServicePortName(new ObjectName("bench", $"svc-{s}"), portName, protocol),
                        ClusterIP = ClusterIP(s).ToIPAddress(),
                        Port = port,
                        NodePort = services <= 1000 && protocol == Protocol.UDP ? 30000 + s : 0,
                    };
                    ports.Add(new ServicePortState(info, eps, eps, EquatableArray<EndpointInfo>.Empty, eps, true));
                }
            }
            return new ProxySnapshot
            {
                Family = IPFamily.IPv4,
                Node = new NodeView { Name = "bench-node" },
                ServicePorts = ports.ToImmutableDictionary(p => p.Name),
                PortsByService = ports.GroupBy(p => p.Name.Service).ToImmutableDictionary(g => g.Key, g => g.Select(p => p.Name).ToImmutableArray()),
            };
        }

        private bool IsStale(int i) => i % _staleEvery == _staleEvery - 1;

        private bool IsTcp(int i) => i % _tcpEvery == 0 && _tcpEvery != int.MaxValue;

        private static NetAddress ClusterIP(int service) => Address(198, 19, service / 250, 1 + service % 250);

        private static NetAddress EndpointAddress(int service, int j)
        {
            var index = service * 16 + j; // ≤ 4000 × 16 = 64000 addresses from 198.18.64.0 up, below 198.18.127.0
            return Address(198, 18, 64 + index / 256 % 63, index % 256);
        }

        private static NetAddress Address(int a, int b, int c, int d) => NetAddress.FromBytes([(byte)a, (byte)b, (byte)c, (byte)d]);
    }

    private static class Ctstatus
    {
        // IPS_SEEN_REPLY | IPS_ASSURED: what a live, answered UDP flow looks like.
        public const uint SeenReplyAssured = (1 << 1) | (1 << 2);
    }
}
