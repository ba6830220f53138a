using System.Diagnostics;
using System.Globalization;
using KubeProxy.Bench.Generation;
using KubeProxy.Bench.Reporting;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// Process start to first sync: writes the shape as a manifest directory, starts the real kube-proxy (Release build
/// of src/KubeProxy) inside a fresh network namespace, and polls its /metrics (through <c>ip netns exec curl</c>,
/// since 127.0.0.1 is the namespace's own loopback) until kubeproxy_sync_proxy_rules_last_timestamp_seconds is
/// non-zero for both IP families (kube-proxy syncs them one after the other, and the IPv6 series does not exist until
/// its first sync, so "every series present is non-zero" would stop after IPv4). Memory is read from /proc/PID/status
/// of that process.
/// </summary>
internal static class StartupMeasurement
{
    private const string Metric = "kubeproxy_sync_proxy_rules_last_timestamp_seconds";

    public static StartupFigures Run(ClusterShape shape, List<string> notes)
    {
        var dll = FindKubeProxy();
        var ns = "kpbench-" + Guid.NewGuid().ToString("N")[..8];
        var dir = Path.Combine(Path.GetTempPath(), ns);
        ManifestWriter.Write(shape, dir);
        Shell.Run("ip", "netns", "add", ns);
        Process? process = null;
        try
        {
            Shell.Run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            // The node's addresses, as on a real node: the health-check node ports of Local-policy LoadBalancer
            // Services bind them (without them each bind fails, which costs about as much as a success).
            Shell.Run("ip", "netns", "exec", ns, "ip", "addr", "add", $"{ClusterGenerator.NodeIPv4}/32", "dev", "lo");
            Shell.Run("ip", "netns", "exec", ns, "ip", "addr", "add", $"{ClusterGenerator.NodeIPv6}/128", "dev", "lo", "nodad");
            var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[]
            {
                "netns", "exec", ns, "dotnet", dll, "--manifests", dir, "--hostname-override", ClusterGenerator.NodeName,
                "--proxy-mode", "nftables", "--iptables-min-sync-period=0s",
                "--metrics-bind-address", "127.0.0.1:10249", "--healthz-bind-address", "127.0.0.1:10256",
            }) info.ArgumentList.Add(a);
            var watch = Stopwatch.StartNew();
            process = Process.Start(info) ?? throw new InvalidOperationException("cannot start kube-proxy");
            // Drain the output so the child never blocks on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            // `ip netns exec` execs the command, so the pid is kube-proxy's own.
            var pid = process.Id;
            var deadline = TimeSpan.FromMinutes(10);
            double firstSync = -1;
            while (watch.Elapsed < deadline)
            {
                if (process.HasExited) throw new InvalidOperationException($"kube-proxy exited {process.ExitCode} before its first sync");
                if (Synced(ns))
                {
                    firstSync = watch.Elapsed.TotalMilliseconds;
                    break;
                }
                Thread.Sleep(20);
            }
            if (firstSync < 0) throw new TimeoutException("no first sync within 10 minutes");
            var peak = Status(pid, "VmHWM:");
            // Let the process settle (GC, the HTTP servers) before the steady reading.
            Thread.Sleep(3000);
            var steady = Status(pid, "VmRSS:");
            notes.Add($"start to first sync includes the .NET runtime start, reading {Directory.GetFiles(dir).Length} manifest files and the " +
                "first full sync; the time is polled every ~20 ms through `ip netns exec curl` (about ±30 ms).");
            return new StartupFigures(shape.Services, shape.EndpointsPerService, firstSync, peak / 1024.0, steady / 1024.0);
        }
        finally
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                process.WaitForExit();
            }
            Shell.Run("ip", "netns", "del", ns);
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The families kube-proxy runs in the bench (it always runs both, as upstream on a dual-stack kernel).</summary>
    internal static readonly string[] Families = ["IPv4", "IPv6"];

    private static bool Synced(string ns)
    {
        try
        {
            var metrics = Shell.Run("ip", "netns", "exec", ns, "curl", "-s", "--max-time", "1", "http://127.0.0.1:10249/metrics");
            return AllFamiliesSynced(metrics, Families);
        }
        catch (InvalidOperationException)
        {
            // Not listening yet.
        }
        return false;
    }

    /// <summary>True when the metrics text has a non-zero last-sync timestamp for every one of
    /// <paramref name="families"/> (one series per family: <c>{ip_family="IPv4"}</c>).</summary>
    internal static bool AllFamiliesSynced(string metrics, IReadOnlyCollection<string> families)
    {
        var synced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(Metric + "{", StringComparison.Ordinal)) continue;
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            if (value <= 0) continue;
            foreach (var family in families)
            {
                if (line.Contains($"ip_family=\"{family}\"", StringComparison.Ordinal)) synced.Add(family);
            }
        }
        return families.All(synced.Contains);
    }

    private static long Status(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"{field} not in /proc/{pid}/status");
    }

    /// <summary>src/KubeProxy's Release output, found from the repository root above this assembly.</summary>
    private static string FindKubeProxy()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KubeProxy.slnx"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("repository root (KubeProxy.slnx) not found");
        var dll = Path.Combine(dir.FullName, "src", "KubeProxy", "bin", "Release", "net10.0", "kube-proxy.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} missing: dotnet build -c Release src/KubeProxy");
        return dll;
    }
}
