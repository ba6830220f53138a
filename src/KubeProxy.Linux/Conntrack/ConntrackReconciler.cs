using System.Diagnostics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// Deletes stale UDP and SCTP conntrack entries after a successful sync (upstream pkg/proxy/conntrack
/// CleanStaleEntries, extended to SCTP). One instance per IP family pipeline; not thread-safe.
/// <para>
/// Each run streams the family's UDP (then SCTP) entries from the kernel, filtered there by protocol, checks each
/// against lookup tables built once from the snapshot (<see cref="StaleFlowMatcher"/>), and deletes stale ones in
/// batches while the dump continues. Memory is the tables plus one batch, whatever the table size.
/// </para>
/// <para>
/// Unlike upstream it also remembers the service keys of the previous run, so flows to a deleted Service's
/// addresses and node ports are removed too (upstream before 1.32 did this with its diff-based cleanup).
/// </para>
/// </summary>
public sealed partial class ConntrackReconciler
{
    /// <summary>Stale entries buffered before a delete batch is sent; bounds memory and keeps the dump flowing.</summary>
    public const int DeleteBatchSize = 256;

    private readonly IConntrack _conntrack;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConntrackEntry[] _pending = new ConntrackEntry[DeleteBatchSize];
    private HashSet<ServiceFlowKey> _lastKeys = [];
    private readonly HashSet<ServiceFlowKey> _retired = [];
    private bool _lastRunFailed;

    public ConntrackReconciler(IConntrack conntrack, ILogger<ConntrackReconciler> logger, TimeProvider? time = null)
    {
        _conntrack = conntrack;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether a sync that produced <paramref name="current"/> from <paramref name="previous"/> calls for a cleanup:
    /// a changed Service had a UDP or SCTP port before or has one now (endpoints removed, added, scaled to zero,
    /// Service deleted), or this is the first sync and any such port exists, or the last run failed or left work.
    /// </summary>
    public bool IsCleanupRequired(ProxySnapshot? previous, ProxySnapshot current) =>
        _lastRunFailed || _retired.Count > 0 || CleanupRequired(previous, current);

    /// <summary>The snapshot-only part of <see cref="IsCleanupRequired"/>, for callers without a reconciler at hand.</summary>
    public static bool CleanupRequired(ProxySnapshot? previous, ProxySnapshot current)
    {
        if (previous is null) return current.ServicePorts.Values.Any(s => StaleFlowMatcher.IsDatagram(s.Info.Protocol));
        foreach (var service in current.ChangedServices.Union(current.ChangedEndpoints))
        {
            if (HasDatagramPort(current, service) || HasDatagramPort(previous, service)) return true;
        }
        return false;
    }

    /// <summary>Runs one cleanup against <paramref name="snapshot"/>. Never throws for kernel errors: they are in the result.</summary>
    public ConntrackCleanupResult CleanStaleEntries(ProxySnapshot snapshot)
    {
        var started = _time.GetTimestamp();
        var family = snapshot.Family;
        LogStarted(family);

        var matcher = StaleFlowMatcher.Build(snapshot);
        var currentKeys = matcher.Keys.ToHashSet();
        foreach (var key in _lastKeys)
        {
            if (!currentKeys.Contains(key)) _retired.Add(key);
        }
        _retired.ExceptWith(currentKeys);
        matcher.Retire(_retired);
        matcher.Seal();
        _lastKeys = currentKeys;

        var run = new Run(this, matcher);
        Exception? error = null;
        try
        {
            foreach (var protocol in (ReadOnlySpan<byte>)[IPProtocolNumber.Udp, IPProtocolNumber.Sctp])
            {
                if (!matcher.Uses(protocol)) continue;
                run.Protocol = protocol;
                _conntrack.Dump(family, protocol, run.Visit);
                run.Flush();
            }
        }
        catch (Exception e)
        {
            error = e;
        }

        var duration = _time.GetElapsedTime(started);
        _lastRunFailed = error is not null;
        // A failed run keeps the retired keys, so the next run still removes flows to deleted Services.
        if (error is null) _retired.Clear();

        var result = new ConntrackCleanupResult(family, run.Examined, run.Stale, run.Deleted, duration, error);
        if (error is null) LogFinished(family, run.Examined, run.Deleted, duration.TotalMilliseconds);
        else LogFailed(error, family, run.Examined, run.Deleted, duration.TotalMilliseconds);
        return result;
    }

    private static bool HasDatagramPort(ProxySnapshot snapshot, ObjectName service) =>
        snapshot.PortsOf(service).Any(p => StaleFlowMatcher.IsDatagram(p.Info.Protocol));

    /// <summary>The per-run state the dump visitor updates; a class so one delegate serves every entry.</summary>
    private sealed class Run(ConntrackReconciler owner, StaleFlowMatcher matcher)
    {
        private int _count;

        public byte Protocol { get; set; }

        public long Examined { get; private set; }

        public int Stale { get; private set; }

        public int Deleted { get; private set; }

        public void Visit(in ConntrackEntry entry)
        {
            Examined++;
            // The kernel filtered on protocol if it could (5.10+); check anyway for older kernels.
            if (entry.Protocol != Protocol || !matcher.IsStale(entry)) return;
            Stale++;
            owner.LogStale(entry);
            owner._pending[_count++] = entry;
            if (_count == owner._pending.Length) Flush();
        }

        public void Flush()
        {
            if (_count == 0) return;
            var batch = owner._pending.AsSpan(0, _count);
            _count = 0;
            Deleted += owner._conntrack.Delete(batch);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Started to reconcile conntrack entries ipFamily={Family}")]
    private partial void LogStarted(IPFamily family);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug,
        Message = "Finished reconciling conntrack entries ipFamily={Family} examined={Examined} entriesDeleted={Deleted} tookMs={DurationMs:F1}")]
    private partial void LogFinished(IPFamily family, long examined, int deleted, double durationMs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error,
        Message = "Failed to reconcile conntrack entries ipFamily={Family} examined={Examined} entriesDeleted={Deleted} tookMs={DurationMs:F1}")]
    private partial void LogFailed(Exception error, IPFamily family, long examined, int deleted, double durationMs);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Trace, Message = "Deleting stale conntrack entry {Entry}")]
    private partial void LogStale(ConntrackEntry entry);
}
