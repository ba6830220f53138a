using k8s;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>
/// Keeps a local copy of one resource in step with the API server, the way client-go's reflector does: list (paged),
/// then watch from the list's resourceVersion; on a dropped watch resume from the last version seen (bookmarks advance
/// it); on 410 Gone relist and deliver only the differences against the local store. Objects are converted to the
/// core model as they arrive and only the models are kept, so memory is bounded by the model, not the API objects.
/// Nothing is ever deleted because the server is unreachable: deletions come only from a DELETED event or from a
/// relist that completed.
/// </summary>
internal sealed partial class Reflector<TObject, TModel>
    where TObject : class, IKubernetesObject<V1ObjectMeta>
    where TModel : class
{
    /// <summary>Which resourceVersion a list asks for.</summary>
    private enum ListMode
    {
        /// <summary>rv=0: any version; the server answers from its watch cache (client-go's first list).</summary>
        Any,

        /// <summary>No rv: a consistent read of the latest state (after 410, or after a failed list).</summary>
        Latest,

        /// <summary>rv=last seen, match NotOlderThan: from the cache, never older than what we hold (resync).</summary>
        NotOlderThan,
    }

    private readonly IResourceApi<TObject> _api;
    private readonly Func<TObject, ConversionResult<TModel>> _convert;
    private readonly IReflectorListener<TModel> _listener;
    private readonly ReflectorSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Backoff _backoff;
    private volatile string? _lastResourceVersion;

    public Reflector(IResourceApi<TObject> api, Func<TObject, ConversionResult<TModel>> convert,
        IReflectorListener<TModel> listener, ReflectorSettings settings, ILogger logger)
    {
        _api = api;
        _convert = convert;
        _listener = new GuardedListener<TModel>(settings.Resource, listener);
        _settings = settings;
        _logger = logger;
        _time = settings.TimeProvider;
        _backoff = new Backoff(settings.BackoffInitial, settings.BackoffMax, settings.Random);
    }

    public string Resource => _settings.Resource;

    /// <summary>The newest resourceVersion seen (list, event or bookmark).</summary>
    public string? LastResourceVersion => _lastResourceVersion;

    /// <summary>Runs until cancelled (or, for an optional resource, until the server says it lacks it).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var mode = ListMode.Any;
        var synced = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListAsync(mode, synced, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ListenerException)
            {
                throw;
            }
            catch (Exception e) when (_settings.Optional && ApiErrors.IsNotFound(e))
            {
                _logger.NotServed(Resource);
                return;
            }
            catch (Exception e)
            {
                var delay = Later(_backoff.Next(), ApiErrors.RetryAfter(e, _settings.BackoffMax));
                _logger.ListFailed(Resource, ApiErrors.Describe(e), delay);
                mode = ListMode.Latest;
                await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!synced)
            {
                synced = true;
                _logger.Synced(Resource, _store.Count, _lastResourceVersion);
                _listener.OnSynced();
            }
            mode = await WatchUntilRelistAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Watches, resuming after every interruption, until a relist is needed (410, an ERROR event, resync).</summary>
    private async Task<ListMode> WatchUntilRelistAsync(CancellationToken cancellationToken)
    {
        var resyncAt = _settings.ResyncPeriod > TimeSpan.Zero ? _time.GetUtcNow() + _settings.ResyncPeriod : DateTimeOffset.MaxValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            var untilResync = resyncAt == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : resyncAt - _time.GetUtcNow();
            if (untilResync != Timeout.InfiniteTimeSpan && untilResync <= TimeSpan.Zero)
            {
                _logger.Resync(Resource);
                return ListMode.NotOlderThan;
            }

            var outcome = await WatchOnceAsync(untilResync, cancellationToken).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case WatchOutcomeKind.Cancelled:
                    return ListMode.Latest;
                case WatchOutcomeKind.Resync:
                    _logger.Resync(Resource);
                    return ListMode.NotOlderThan;
                case WatchOutcomeKind.Expired:
                    _logger.WatchExpired(Resource, _lastResourceVersion, outcome.Reason);
                    // A relist right after a healthy watch is normal; repeated ones back off like any failure.
                    if (outcome.Duration < _settings.BackoffResetAfter) await DelayAsync(_backoff.Next(), cancellationToken).ConfigureAwait(false);
                    return ListMode.Latest;
                case WatchOutcomeKind.ErrorEvent:
                    {
                        var delay = _backoff.Next();
                        _logger.WatchError(Resource, outcome.Reason, delay);
                        await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                        return ListMode.Latest;
                    }
                case WatchOutcomeKind.Closed:
                    _logger.WatchClosed(Resource, outcome.Events, _lastResourceVersion);
                    break;
                case WatchOutcomeKind.Failed:
                    {
                        var delay = Later(_backoff.Next(), outcome.RetryAfter);
                        _logger.WatchFailed(Resource, outcome.Reason, _lastResourceVersion, delay);
                        await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                        break;
                    }
            }
        }
        return ListMode.Latest;
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the caller's loop sees the cancellation.
        }
    }

    private static TimeSpan Later(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static ObjectName KeyOf(TObject obj) => new(obj.Metadata?.NamespaceProperty ?? "", obj.Metadata?.Name ?? "");

    private void NoteResourceVersion(TObject obj)
    {
        if (obj.Metadata?.ResourceVersion is { Length: > 0 } rv) _lastResourceVersion = rv;
    }
}
