using System.Net;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.Proxy;

/// <summary>
/// Reads kube-proxy's /metrics and /healthz from inside a node namespace, and waits on metric values with a
/// deadline (a sync having happened, a change counter having grown).
/// </summary>
public sealed class KubeProxyMetrics : IDisposable
{
    public const string LastSyncTimestamp = "kubeproxy_sync_proxy_rules_last_timestamp_seconds";
    public const string LastQueuedTimestamp = "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds";
    public const string SyncDurationCount = "kubeproxy_sync_proxy_rules_duration_seconds_count";
    public const string ServiceChangesTotal = "kubeproxy_sync_proxy_rules_service_changes_total";
    public const string EndpointChangesTotal = "kubeproxy_sync_proxy_rules_endpoint_changes_total";
    public const string ServiceChangesPending = "kubeproxy_sync_proxy_rules_service_changes_pending";
    public const string EndpointChangesPending = "kubeproxy_sync_proxy_rules_endpoint_changes_pending";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly HttpClient _http;

    public KubeProxyMetrics(NetworkNamespace ns, string metricsAddress = "127.0.0.1:10249", string healthzAddress = "127.0.0.1:10256")
    {
        _http = NamespaceHttp.CreateClient(ns, TimeSpan.FromSeconds(5));
        MetricsBase = new Uri($"http://{Reachable(metricsAddress)}/");
        HealthzBase = new Uri($"http://{Reachable(healthzAddress)}/");
    }

    public Uri MetricsBase { get; }

    public Uri HealthzBase { get; }

    /// <summary>
    /// Something to fail fast on while waiting (e.g. the kube-proxy process exiting), with the text to show then.
    /// </summary>
    public Func<string?>? AbortCheck { get; set; }

    public async Task<IReadOnlyList<MetricSample>> ScrapeAsync(CancellationToken cancellationToken = default) =>
        PrometheusText.Parse(await _http.GetStringAsync(new Uri(MetricsBase, "metrics"), cancellationToken));

    /// <summary>The sum of the samples of <paramref name="name"/> matching <paramref name="labels"/> (all families unless filtered); null if absent.</summary>
    public async Task<double?> ReadAsync(string name, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default) =>
        PrometheusText.Sum(await ScrapeAsync(cancellationToken), name, labels);

    /// <summary>GET on the health server (<c>healthz</c>, <c>livez</c>) or, with <paramref name="onMetricsServer"/>, the metrics server.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, bool onMetricsServer = false, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri(onMetricsServer ? MetricsBase : HealthzBase, path.TrimStart('/')), cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Waits until the proxy has synced rules at least once (last sync timestamp &gt; 0, any IP family).</summary>
    public Task<double> WaitForSyncAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        WaitForAsync(LastSyncTimestamp, v => v > 0, timeout ?? TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);

    /// <summary>Waits until every one of <paramref name="families"/> ("IPv4", "IPv6") has synced at least once.</summary>
    public async Task WaitForSyncAsync(IReadOnlyList<string> families, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        foreach (var family in families)
        {
            await WaitForAsync(LastSyncTimestamp, v => v > 0, timeout ?? TimeSpan.FromSeconds(30),
                new Dictionary<string, string> { ["ip_family"] = family }, deadline.Token);
        }
    }

    /// <summary>Waits until <paramref name="name"/> (summed) exceeds <paramref name="than"/>, e.g. a change counter read before an edit.</summary>
    public Task<double> WaitForGrowthAsync(string name, double than, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? labels = null,
        CancellationToken cancellationToken = default) =>
        WaitForAsync(name, v => v > than, timeout ?? TimeSpan.FromSeconds(30), labels, cancellationToken);

    /// <summary>Polls until the metric exists and satisfies <paramref name="predicate"/>; returns the value.</summary>
    public async Task<double> WaitForAsync(string name, Func<double, bool> predicate, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var last = "not scraped yet";
        while (true)
        {
            if (AbortCheck?.Invoke() is { } abort)
            {
                throw new InvalidOperationException($"gave up waiting for {name}: {abort}");
            }

            try
            {
                var value = await ReadAsync(name, labels, deadline.Token);
                if (value is { } v && predicate(v))
                {
                    return v;
                }

                last = value is null ? "metric absent" : $"value {value}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (e.InnerException is TimeoutException && !deadline.IsCancellationRequested)
            {
                // One scrape outlived the HttpClient timeout (a loaded machine, a kube-proxy busy starting): poll on.
                last = $"scrape timed out: {e.Message}";
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
            }

            try
            {
                await Task.Delay(PollInterval, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{name} on {MetricsBase} not as expected within {timeout} (last: {last})");
            }
        }
    }

    /// <summary>Reads the change and sync counters before a test edits manifests.</summary>
    public async Task<SyncMark> MarkAsync(CancellationToken cancellationToken = default) =>
        Mark(await ScrapeAsync(cancellationToken));

    /// <summary>
    /// Waits until changes made after <paramref name="before"/> have been synced in every IP family: the change
    /// counters grew by at least <paramref name="minimumChanges"/> (kube-proxy counts one per changed object and
    /// family), nothing is pending, a sync completed since the mark, the last sync is not older than the last queued
    /// one, and all that stayed so for <paramref name="settle"/>. The settle window covers a sync that took the last
    /// change but is still applying it (the metrics cannot tell that from a finished one). Writing a file with the
    /// same content changes nothing and is never counted.
    /// </summary>
    public async Task WaitForChangesSyncedAsync(SyncMark before, int minimumChanges = 1, TimeSpan? timeout = null,
        TimeSpan? settle = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var quiet = settle ?? DefaultSettle;
        var time = TimeProvider.System;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        var last = "not scraped yet";
        string? stableState = null;
        long stableSince = 0;
        while (true)
        {
            if (AbortCheck?.Invoke() is { } abort)
            {
                throw new InvalidOperationException($"gave up waiting for a sync: {abort}");
            }

            try
            {
                var samples = await ScrapeAsync(deadline.Token);
                var waitingFor = NotYetSynced(samples, before, minimumChanges, out var state);
                if (waitingFor.Count > 0)
                {
                    stableState = null;
                    last = string.Join("; ", waitingFor);
                }
                else if (state != stableState)
                {
                    (stableState, stableSince) = (state, time.GetTimestamp());
                    last = $"settling ({state})";
                }
                else if (time.GetElapsedTime(stableSince) >= quiet)
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e) when (e.InnerException is TimeoutException && !deadline.IsCancellationRequested)
            {
                // One scrape outlived the HttpClient timeout (a loaded machine, a kube-proxy busy starting): poll on.
                last = $"scrape timed out: {e.Message}";
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
            }

            try
            {
                await Task.Delay(SettlePollInterval, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"change not synced within {limit} (mark: {before}; waiting for: {last})");
            }
        }
    }

    /// <summary>How long the sync state must stay unchanged before a change counts as applied.</summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan SettlePollInterval = TimeSpan.FromMilliseconds(50);

    private static List<string> NotYetSynced(IReadOnlyList<MetricSample> samples, SyncMark before, int minimumChanges, out string state)
    {
        var now = Mark(samples);
        var waitingFor = new List<string>();
        if (now.ChangesTotal < before.ChangesTotal + minimumChanges)
        {
            waitingFor.Add($"change counters at {now.ChangesTotal}, want {before.ChangesTotal + minimumChanges}");
        }

        var lastSyncs = new List<double>();
        foreach (var family in now.SyncCounts.Keys)
        {
            var labels = new Dictionary<string, string> { ["ip_family"] = family };
            var pending = (PrometheusText.Sum(samples, ServiceChangesPending, labels) ?? 0) + (PrometheusText.Sum(samples, EndpointChangesPending, labels) ?? 0);
            var synced = PrometheusText.Sum(samples, LastSyncTimestamp, labels) ?? 0;
            var queued = PrometheusText.Sum(samples, LastQueuedTimestamp, labels) ?? 0;
            lastSyncs.Add(synced);
            if (pending > 0)
            {
                waitingFor.Add($"{family}: {pending} changes pending");
            }

            if (now.SyncCounts[family] <= before.SyncCounts.GetValueOrDefault(family))
            {
                waitingFor.Add($"{family}: no sync since the mark");
            }

            if (synced < queued)
            {
                waitingFor.Add($"{family}: last sync {synced} older than last queued {queued}");
            }
        }

        if (now.SyncCounts.Count == 0)
        {
            waitingFor.Add("no sync metrics yet");
        }

        state = $"{now}; last syncs {string.Join(", ", lastSyncs)}";
        return waitingFor;
    }

    public void Dispose() => _http.Dispose();

    private static SyncMark Mark(IReadOnlyList<MetricSample> samples)
    {
        var changes = (PrometheusText.Sum(samples, ServiceChangesTotal) ?? 0) + (PrometheusText.Sum(samples, EndpointChangesTotal) ?? 0);
        var syncs = samples.Where(s => s.Name == SyncDurationCount && s.Labels.ContainsKey("ip_family"))
            .GroupBy(s => s.Labels["ip_family"])
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        return new SyncMark(changes, syncs);
    }

    /// <summary>A bind address made reachable: a wildcard bind is reached via loopback.</summary>
    private static string Reachable(string bindAddress)
    {
        if (!IPEndPoint.TryParse(bindAddress, out var endPoint) || endPoint.Port == 0)
        {
            throw new ArgumentException($"'{bindAddress}' is not HOST:PORT", nameof(bindAddress));
        }

        var host = endPoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endPoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endPoint.Address;
        return new IPEndPoint(host, endPoint.Port).ToString();
    }
}
