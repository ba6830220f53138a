using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>
/// What upstream does for <c>--detect-local-mode=NodeCIDR</c> (cmd/kube-proxy waitForPodCIDR, pkg/proxy
/// NodePodCIDRHandler; NodeManager since 1.34), as a filter in front of the engine:
/// <list type="bullet">
/// <item>Nothing is programmed before this node's Node object has podCIDRs: the "synced" calls of Services and
/// EndpointSlices are held back until then. After <see cref="MaxWait"/> (5 min, as upstream) without podCIDRs it
/// carries on without them, with a warning (upstream does the same for backward compatibility).</item>
/// <item>Once known, the podCIDRs are the local-traffic test baked into the rules; if the Node later shows others (or
/// none), the rules cannot follow safely, so <c>onPodCidrsChanged</c> is called: the host exits non-zero and the
/// supervisor restarts kube-proxy, which then waits for the new ones.</item>
/// </list>
/// Every call is passed on unchanged; only the timing of the two "synced" calls changes.
/// </summary>
public sealed partial class NodePodCidrGate : IProxyEventSink, IDisposable
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);

    private readonly IProxyEventSink _inner;
    private readonly string _nodeName;
    private readonly Action<string> _onPodCidrsChanged;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private EquatableArray<IPNetwork>? _podCidrs;
    private bool _released;
    private bool _servicesSynced;
    private bool _slicesSynced;
    private bool _changed;

    public NodePodCidrGate(IProxyEventSink inner, string nodeName, Action<string> onPodCidrsChanged, ILogger logger,
        TimeProvider? time = null, TimeSpan? maxWait = null)
    {
        _inner = inner;
        _nodeName = nodeName;
        _onPodCidrsChanged = onPodCidrsChanged;
        _logger = logger;
        LogWaiting(_logger, nodeName);
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => GiveUpWaiting(), null, maxWait ?? MaxWait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The podCIDRs the rules are built with; null while waiting.</summary>
    public IReadOnlyList<IPNetwork>? PodCidrs
    {
        get
        {
            lock (_gate) return _podCidrs is { } cidrs ? [.. cidrs] : null;
        }
    }

    public void OnNodeUpsert(Node node)
    {
        if (node.Name != _nodeName)
        {
            _inner.OnNodeUpsert(node);
            return;
        }

        lock (_gate)
        {
            // Exiting already: nothing more about this node reaches the rules.
            if (_changed) return;
        }

        if (Changed(node.PodCIDRs) is { } reason)
        {
            // Not passed on: the rules keep the podCIDRs they were built with until the restart. The owner logs the
            // reason as the one it exits for.
            _onPodCidrsChanged(reason);
            return;
        }

        // The engine gets the Node before the synced calls are released, so its first sync knows the podCIDRs.
        _inner.OnNodeUpsert(node);
        bool known;
        lock (_gate) known = _podCidrs is not null;
        if (known) Release();
    }

    public void OnNodeDelete(string name)
    {
        if (name == _nodeName)
        {
            // As upstream: worth an error line, not an exit (the Node may be recreated with the same podCIDRs).
            LogNodeDeleted(_logger, name);
        }

        _inner.OnNodeDelete(name);
    }

    public void OnServicesSynced()
    {
        lock (_gate)
        {
            _servicesSynced = true;
            if (!_released) return;
        }

        _inner.OnServicesSynced();
    }

    public void OnEndpointSlicesSynced()
    {
        lock (_gate)
        {
            _slicesSynced = true;
            if (!_released) return;
        }

        _inner.OnEndpointSlicesSynced();
    }

    public void OnServiceUpsert(Service service) => _inner.OnServiceUpsert(service);

    public void OnServiceDelete(ObjectName name) => _inner.OnServiceDelete(name);

    public void OnEndpointSliceUpsert(EndpointSlice slice) => _inner.OnEndpointSliceUpsert(slice);

    public void OnEndpointSliceDelete(ObjectName name) => _inner.OnEndpointSliceDelete(name);

    public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs) => _inner.OnServiceCidrsChanged(cidrs);

    public void Dispose() => _timer.Dispose();

    /// <summary>Records the first non-empty podCIDRs; returns the reason to exit when they differ from those (once).</summary>
    private string? Changed(EquatableArray<IPNetwork> podCidrs)
    {
        lock (_gate)
        {
            if (_podCidrs is null)
            {
                if (!podCidrs.IsEmpty)
                {
                    _podCidrs = podCidrs;
                    LogPodCidrs(_logger, _nodeName, Format(podCidrs));
                }

                return null;
            }

            if (_podCidrs == podCidrs) return null;
            _changed = true;
            return $"node {_nodeName} podCIDRs changed from {Format(_podCidrs.Value)} to {Format(podCidrs)} " +
                   "while detect-local-mode is NodeCIDR; exiting so that the rules are rebuilt with the new ones";
        }
    }

    private void GiveUpWaiting()
    {
        lock (_gate)
        {
            if (_released || _podCidrs is not null) return;
        }

        LogGaveUp(_logger, _nodeName, MaxWait.TotalMinutes);
        Release();
    }

    /// <summary>Passes on the synced calls held back while waiting (each at most once).</summary>
    private void Release()
    {
        bool services, slices;
        lock (_gate)
        {
            if (_released) return;
            _released = true;
            (services, slices) = (_servicesSynced, _slicesSynced);
        }

        _timer.Dispose();
        if (services) _inner.OnServicesSynced();
        if (slices) _inner.OnEndpointSlicesSynced();
    }

    private static string Format(EquatableArray<IPNetwork> cidrs) => cidrs.IsEmpty ? "[]" : "[" + string.Join(",", cidrs) + "]";

    [LoggerMessage(9101, LogLevel.Information, "Watching for node {Node}, awaiting podCIDR allocation (detect-local-mode NodeCIDR)")]
    private static partial void LogWaiting(ILogger logger, string node);

    [LoggerMessage(9102, LogLevel.Information, "Node {Node} has podCIDRs {PodCidrs}")]
    private static partial void LogPodCidrs(ILogger logger, string node, string podCidrs);

    [LoggerMessage(9103, LogLevel.Warning,
        "Node {Node} still has no podCIDRs after {Minutes} minutes; carrying on without local traffic detection (detect-local-mode NodeCIDR)")]
    private static partial void LogGaveUp(ILogger logger, string node, double minutes);

    [LoggerMessage(9105, LogLevel.Error, "Node {Node} is being deleted")]
    private static partial void LogNodeDeleted(ILogger logger, string node);
}
