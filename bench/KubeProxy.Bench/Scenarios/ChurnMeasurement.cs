using System.Diagnostics;
using System.Globalization;
using System.Net;
using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.Bench.Generation;
using KubeProxy.Bench.Reporting;
using KubeProxy.Core.Model;
using KubeProxy.Lab.ApiServer;
using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Proxy;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// The real kube-proxy (Release, <c>ip netns exec</c>) in a fresh network namespace, reading N generated Services from
/// the fake API server, which listens on 127.0.0.1 inside that namespace (<see cref="ClusterApi"/>): rules go
/// into the namespace's nftables, never the root namespace's. After the first sync the bench updates EndpointSlices
/// at a fixed rate, each moving the one endpoint of a different Service to a never-used address and stamping
/// <c>endpoints.kubernetes.io/last-change-trigger-time</c> with the time of the update, as the EndpointSlice
/// controller does. kube-proxy observes trigger-to-synced into kubeproxy_network_programming_duration_seconds; the
/// bench reads that histogram before and after, and also times each change itself by watching <c>nft monitor</c>
/// for the new address.
/// </summary>
internal static class ChurnMeasurement
{
    public const int AddressPool = 63 * 256;
    private const string Histogram = "kubeproxy_network_programming_duration_seconds";
    private const string SyncCount = "kubeproxy_sync_proxy_rules_duration_seconds_count";
    private const string SyncSum = "kubeproxy_sync_proxy_rules_duration_seconds_sum";
    private const string Token = "bench-churn";

    public static async Task<ChurnFigures> RunAsync(int services, double rate, TimeSpan duration, string minSyncPeriod, bool kernel)
    {
        var ns = await NetworkNamespace.CreateAsync("kpbench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var api = await ClusterApi.StartAsync([ns], new FakeApiServerOptions { BearerToken = Token });
            var cluster = ApiObjects.Generate(new ClusterShape(services, 1));
            api.Server.Upsert(ApiObjects.Node());
            foreach (var (service, slices) in cluster)
            {
                api.Server.Upsert(service);
                foreach (var slice in slices) api.Server.Upsert(slice);
            }

            List<string> args =
            [
                "--kubeconfig", api.KubeconfigPath,
                "--hostname-override", ClusterGenerator.NodeName,
                "--proxy-mode", "nftables",
                "--metrics-bind-address", "127.0.0.1:10249",
                "--healthz-bind-address", "127.0.0.1:10256",
                "--cluster-cidr", $"{ClusterGenerator.PodCidrV4},{ClusterGenerator.PodCidrV6}",
            ];
            // "1s" is the default: leave the flag out, as a real deployment would.
            if (minSyncPeriod == "0s") args.Add("--iptables-min-sync-period=0s");
            var started = Stopwatch.StartNew();
            await using var kubeProxy = KubeProxyProcess.Start(ns, "kube-proxy", args);
            await kubeProxy.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromMinutes(20));
            var firstSync = started.Elapsed.TotalMilliseconds;

            var addresses = 0;
            IPAddress NextAddress()
            {
                var k = addresses++;
                if (k >= AddressPool) throw new InvalidOperationException("address pool for churn exhausted");
                return new IPAddress(new byte[] { 198, 18, (byte)(1 + (k / 256)), (byte)(k % 256) });
            }

            var changed = 0;
            V1EndpointSlice Move(IPAddress address, DateTimeOffset? trigger)
            {
                // The IPv4 slice (the generator lists it first) of the next Service in turn.
                var slice = cluster[changed++ % cluster.Count].Slices[0];
                slice.Endpoints[0].Addresses = [address.ToString()];
                slice.Metadata.Annotations = trigger is { } t
                    ? new Dictionary<string, string> { [ProxyLabels.LastChangeTriggerTime] = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) }
                    : null;
                return slice;
            }

            using var monitor = kernel ? NftMonitor.Start(ns.Name) : null;
            if (monitor is not null)
            {
                // nft monitor reads the ruleset before it reports anything: move a canary endpoint (no trigger time, so
                // kube-proxy's histogram ignores it) until the monitor shows it. Each canary changes the ruleset, which
                // restarts nft's reading (its dump is interrupted), and with the Services over 16 tables nft 1.0.6
                // needs some 15 s of CPU to read 10,000 Services: wait longer after each canary that went unseen.
                var ready = Stopwatch.StartNew();
                var patience = TimeSpan.FromSeconds(5);
                while (true)
                {
                    var canary = NextAddress();
                    api.Server.Upsert(Move(canary, null));
                    var wait = Stopwatch.StartNew();
                    while (monitor.FirstSeen(canary) is null && wait.Elapsed < patience && !monitor.HasExited) await Task.Delay(20);
                    if (monitor.FirstSeen(canary) is not null) break;
                    patience = TimeSpan.FromTicks(Math.Min(patience.Ticks * 2, TimeSpan.FromSeconds(80).Ticks));
                    if (monitor.HasExited || ready.Elapsed > TimeSpan.FromMinutes(6))
                        throw new InvalidOperationException("nft monitor never reported a canary change (run with --no-kernel to skip the cross-check)");
                }
            }

            var before = await kubeProxy.Metrics.ScrapeAsync();
            var changes = new List<(IPAddress Address, DateTimeOffset Trigger)>();
            var count = (int)Math.Round(rate * duration.TotalSeconds);
            var load = SystemLoad.OneMinute();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                // Pacing, not synchronisation: change i is due at i / rate seconds.
                var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero) Thread.Sleep(due);
                var address = NextAddress();
                var trigger = DateTimeOffset.UtcNow;
                api.Server.Upsert(Move(address, trigger));
                changes.Add((address, trigger));
            }

            var churnSeconds = clock.Elapsed.TotalSeconds;
            // Wait (with a deadline) until every change has been observed; fewer means some were merged or lost.
            var expected = Observations(before) + count;
            var deadline = Stopwatch.StartNew();
            IReadOnlyList<MetricSample> after;
            while (true)
            {
                after = await kubeProxy.Metrics.ScrapeAsync();
                if (Observations(after) >= expected || deadline.Elapsed > TimeSpan.FromMinutes(2)) break;
                await Task.Delay(200);
            }

            if (monitor is not null)
            {
                // The last rules may still be on their way to the monitor's output.
                var settle = Stopwatch.StartNew();
                while (changes.Any(c => monitor.FirstSeen(c.Address) is null) && settle.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
            }

            load = (load + SystemLoad.OneMinute()) / 2;
            var delta = HistogramQuantile.Delta(Buckets(after), Buckets(before));
            var kernelLatencies = monitor is null ? null
                : changes.Select(c => monitor.FirstSeen(c.Address) is { } seen ? (seen - c.Trigger).TotalMilliseconds : (double?)null)
                    .OfType<double>().ToList();
            return new ChurnFigures
            {
                Services = services,
                EndpointsPerService = 1,
                MinSyncPeriod = minSyncPeriod,
                ChangesPerSecond = count / churnSeconds,
                Changes = count,
                DurationSeconds = churnSeconds,
                HistogramObservations = Observations(after) - Observations(before),
                HistogramP50Ms = HistogramQuantile.Estimate(delta, 0.50) * 1000,
                HistogramP99Ms = HistogramQuantile.Estimate(delta, 0.99) * 1000,
                Kernel = kernelLatencies is null ? null : LatencyStats.Of(kernelLatencies),
                Syncs = Sum(after, SyncCount) - Sum(before, SyncCount),
                MeanSyncMs = (Sum(after, SyncSum) - Sum(before, SyncSum)) * 1000 / Math.Max(1, Sum(after, SyncCount) - Sum(before, SyncCount)),
                SyncsByFamily = new[] { "IPv4", "IPv6" }.ToDictionary(f => f, f =>
                {
                    var labels = new Dictionary<string, string> { ["ip_family"] = f };
                    var syncs = Sum(after, SyncCount, labels) - Sum(before, SyncCount, labels);
                    return new FamilySyncs(syncs, (Sum(after, SyncSum, labels) - Sum(before, SyncSum, labels)) * 1000 / Math.Max(1, syncs));
                }),
                FirstSyncMs = firstSync,
                LoadAverage = load,
            };
        }
        finally
        {
            await ns.DisposeAsync();
        }
    }

    private static double Observations(IReadOnlyList<MetricSample> samples) => Sum(samples, Histogram + "_count");

    private static double Sum(IReadOnlyList<MetricSample> samples, string name, IReadOnlyDictionary<string, string>? labels = null) =>
        PrometheusText.Sum(samples, name, labels) ?? 0;

    /// <summary>Cumulative bucket counts summed over the IP families.</summary>
    private static List<(double UpperBound, double Count)> Buckets(IReadOnlyList<MetricSample> samples) =>
        samples.Where(s => s.Name == Histogram + "_bucket" && s.Labels.ContainsKey("le"))
            .GroupBy(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture))
            .Select(g => (g.Key, g.Sum(s => s.Value)))
            .ToList();
}
