using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using KubeProxy.Core.Events;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Kubernetes.Reflection;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// Posts Warning events about Services through events.k8s.io/v1, as upstream's event recorder does, off the sync
/// path: <see cref="IncorrectIPVersion"/> only queues (a bounded queue; when it is full the event is dropped and
/// counted), and one background loop posts, each post bounded in time. The same event (Service, reason, value) is
/// recorded once per process: the sync path reports it on every merge of the Service's slices, and the
/// API server's own aggregation would only count the repeats.
/// </summary>
public sealed partial class ServiceEventRecorder : IServiceEventRecorder, IAsyncDisposable
{
    public const int DefaultCapacity = 256;

    /// <summary>Distinct events remembered for deduplication; past this the memory is cleared (a repeat then costs one more event).</summary>
    private const int MaxRemembered = 10_000;

    private static readonly TimeSpan PostTimeout = TimeSpan.FromSeconds(10);

    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Eventsv1Event> _queue;
    private readonly HashSet<string> _recorded = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _dropped;
    private long _posted;
    private long _sequence;

    public ServiceEventRecorder(IKubernetes client, ILogger<ServiceEventRecorder> logger, TimeProvider? time = null, int capacity = DefaultCapacity)
    {
        _client = client;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _queue = Channel.CreateBounded<Eventsv1Event>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once instead of evicting, so drops are counted
            SingleReader = true,
        });
        _loop = Task.Run(() => PostLoopAsync(_stop.Token));
    }

    /// <summary>Events not recorded because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events the API server accepted.</summary>
    public long Posted => Interlocked.Read(ref _posted);

    public void IncorrectIPVersion(ObjectName service, string field, string value)
    {
        var key = $"{service}\0KubeProxyIncorrectIPVersion\0{field}\0{value}";
        lock (_recorded)
        {
            if (_recorded.Count >= MaxRemembered) _recorded.Clear();
            if (!_recorded.Add(key)) return;
        }

        var note = $"{value} in {field} has incorrect IP version";
        if (_queue.Writer.TryWrite(Build(service, "KubeProxyIncorrectIPVersion", "GatherEndpoints", note))) return;

        // Forget it, so that a later report (after the queue drained) can still record it.
        lock (_recorded) _recorded.Remove(key);
        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 100 == 0) LogDropped(_logger, dropped);
    }

    internal Eventsv1Event Build(ObjectName service, string reason, string action, string note)
    {
        var now = _time.GetUtcNow();
        return new Eventsv1Event
        {
            Metadata = new V1ObjectMeta
            {
                // Upstream's form: the regarding object's name and the time in hex nanoseconds (plus a sequence
                // number in the sub-millisecond digits, so two events in one millisecond get distinct names).
                Name = service.Name + "." + (now.ToUnixTimeMilliseconds() * 1_000_000 + Interlocked.Increment(ref _sequence) % 1_000_000)
                    .ToString("x", CultureInfo.InvariantCulture),
                NamespaceProperty = service.Namespace,
            },
            EventTime = now.UtcDateTime,
            ReportingController = "kube-proxy",
            ReportingInstance = "kube-proxy-" + Environment.MachineName,
            Action = action,
            Reason = reason,
            Type = "Warning",
            Note = note,
            Regarding = new V1ObjectReference { Kind = "Service", ApiVersion = "v1", NamespaceProperty = service.Namespace, Name = service.Name },
        };
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PostLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    using var deadline = new CancellationTokenSource(PostTimeout, _time);
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                    await _client.EventsV1.CreateNamespacedEventAsync(e, e.Metadata.NamespaceProperty, cancellationToken: linked.Token)
                        .ConfigureAwait(false);
                    Interlocked.Increment(ref _posted);
                    LogPosted(_logger, e.Reason, e.Regarding.NamespaceProperty, e.Regarding.Name);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Best effort, as upstream's recorder: one try, then the event is lost with a log line.
                    var error = ApiErrors.Describe(ex);
                    LogFailed(_logger, e.Reason, e.Regarding.NamespaceProperty, e.Regarding.Name, error);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: a post cut short by the cancellation ends the loop quietly.
        }
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Recorded event {Reason} for Service {Namespace}/{Name}")]
    private static partial void LogPosted(ILogger logger, string reason, string @namespace, string name);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Could not record event {Reason} for Service {Namespace}/{Name}: {Error}")]
    private static partial void LogFailed(ILogger logger, string reason, string @namespace, string name, string error);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "Event queue full; {Dropped} events dropped so far")]
    private static partial void LogDropped(ILogger logger, long dropped);
}
