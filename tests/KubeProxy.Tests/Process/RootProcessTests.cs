using System.Globalization;
using KubeProxy.Tests.Http;
using Xunit.Abstractions;

namespace KubeProxy.Tests.Process;

/// <summary>The built executable against a real kernel, each test in its own fresh network namespace.</summary>
public sealed class RootProcessTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task CleanupRemovesKubeProxyRulesAndLeavesKubeletChains()
    {
        using var ns = NetworkNamespace.Create();
        ns.Exec("nft", "add", "table", "ip", "kube-proxy");
        ns.Exec("nft", "add", "table", "ip6", "kube-proxy");
        ns.Exec("nft", "add", "table", "ip", "other");
        // The other Service tables go too; a table that only looks similar stays.
        ns.Exec("nft", "add", "table", "ip", "kube-proxy-3");
        ns.Exec("nft", "add", "table", "ip6", "kube-proxy-15");
        ns.Exec("nft", "add", "table", "ip", "kube-proxy-extra");
        foreach (var chain in new[] { "KUBE-SERVICES", "KUBE-SVC-ABCDEFGHIJKLMNOP", "KUBE-MARK-MASQ" })
        {
            ns.Exec("iptables", "-t", "nat", "-N", chain);
        }
        ns.Exec("iptables", "-t", "nat", "-A", "PREROUTING", "-j", "KUBE-SERVICES");
        ns.Exec("iptables", "-t", "nat", "-A", "OUTPUT", "-j", "KUBE-SERVICES");
        ns.Exec("iptables", "-t", "nat", "-A", "KUBE-SERVICES", "-d", "198.19.0.10/32", "-p", "tcp", "--dport", "80", "-j", "KUBE-SVC-ABCDEFGHIJKLMNOP");
        ns.Exec("iptables", "-t", "filter", "-N", "KUBE-FIREWALL");
        ns.Exec("iptables", "-t", "filter", "-A", "INPUT", "-j", "KUBE-FIREWALL");
        ns.Exec("iptables", "-t", "filter", "-N", "KUBE-FORWARD");
        ns.Exec("iptables", "-t", "filter", "-A", "FORWARD", "-j", "KUBE-FORWARD");

        using var p = await KubeProxyProcess.RunAsync(["--cleanup"], ns.Name);
        output.WriteLine(p.ToString());

        Assert.Equal(0, p.ExitCode);
        var tables = ns.Exec("nft", "list", "tables").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("table ip kube-proxy", tables);
        Assert.DoesNotContain("table ip6 kube-proxy", tables);
        Assert.Contains("table ip other", tables);
        Assert.DoesNotContain("table ip kube-proxy-3", tables);
        Assert.DoesNotContain("table ip6 kube-proxy-15", tables);
        Assert.Contains("table ip kube-proxy-extra", tables);
        var nat = ns.Exec("iptables-save", "-t", "nat");
        Assert.DoesNotContain("KUBE-", nat);
        var filter = ns.Exec("iptables-save", "-t", "filter");
        Assert.Contains(":KUBE-FIREWALL", filter);
        Assert.Contains("-A INPUT -j KUBE-FIREWALL", filter);
        Assert.DoesNotContain("KUBE-FORWARD", filter);
    }

    [RootFact]
    public async Task ManifestsModeSyncsServesMetricsAndLeavesRulesOnSigterm()
    {
        using var ns = NetworkNamespace.Create();
        var manifests = Directory.CreateTempSubdirectory("kpt-manifests-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot(), "examples", "cluster")))
            {
                File.Copy(file, Path.Combine(manifests, Path.GetFileName(file)));
            }
            var metricsPort = FreePort.Next();
            var healthzPort = FreePort.Next();
            using var proxy = KubeProxyProcess.Start(
            [
                "--manifests", manifests, "--hostname-override", "node-1", "--proxy-mode", "nftables",
                "--iptables-min-sync-period=0s",
                "--metrics-bind-address", $"127.0.0.1:{metricsPort}",
                "--healthz-bind-address", $"127.0.0.1:{healthzPort}",
            ], ns.Name);
            try
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                var synced = false;
                while (!synced)
                {
                    Assert.False(proxy.HasExited, "kube-proxy exited early");
                    Assert.True(DateTime.UtcNow < deadline, "no successful sync reported on /metrics within 60 s");
                    var (_, metrics) = ns.TryExec("curl", "-s", "--max-time", "2", $"http://127.0.0.1:{metricsPort}/metrics");
                    synced = LastSyncTimestamp(metrics) > 0;
                    if (!synced) await Task.Delay(200);
                }

                var (_, healthz) = ns.TryExec("curl", "-s", "--max-time", "2", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{healthzPort}/healthz");
                Assert.Equal("200", healthz.Trim());

                proxy.Terminate();
                await proxy.WaitForExitAsync(TimeSpan.FromSeconds(20));
                // Rules stay on exit, as upstream: traffic keeps flowing while kube-proxy restarts.
                var table = ns.Exec("nft", "list", "table", "ip", "kube-proxy");
                Assert.Contains("198.19.0.10", table);
            }
            catch
            {
                output.WriteLine(proxy.ToString());
                throw;
            }
        }
        finally
        {
            Directory.Delete(manifests, recursive: true);
        }
    }

    private static double LastSyncTimestamp(string metrics)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith("kubeproxy_sync_proxy_rules_last_timestamp_seconds", StringComparison.Ordinal)) continue;
            var value = line[(line.LastIndexOf(' ') + 1)..];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0) return v;
        }
        return 0;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "examples", "cluster"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("examples/cluster not found above " + AppContext.BaseDirectory);
    }
}
