using k8s;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Kubernetes.Reflection;

internal sealed partial class Reflector<TObject, TModel>
{
    /// <summary>A clean close this soon with no events looks like a server that closes every watch at once: back off.</summary>
    private static readonly TimeSpan MinimumHealthyWatch = TimeSpan.FromSeconds(1);

    /// <summary>One watch from the last resourceVersion, applying its events to the store, until it ends.</summary>
    private async Task<WatchOutcome> WatchOnceAsync(TimeSpan untilResync, CancellationToken cancellationToken)
    {
        var timeoutSeconds = (int)Math.Ceiling(_settings.WatchTimeout.TotalSeconds * (1 + _settings.Random.NextDouble()));
        var idleLimit = TimeSpan.FromSeconds(timeoutSeconds) + _settings.WatchIdleGrace;
        using var resync = new CancellationTokenSource(untilResync, _time);
        using var idle = new CancellationTokenSource(idleLimit, _time);
        using var failed = new CancellationTokenSource();
        using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, resync.Token, idle.Token, failed.Token);

        Exception? streamError = null;
        void OnError(Exception e)
        {
            // A Status (ERROR event) or an undecodable event: stop reading, the outcome is decided below.
            streamError ??= e;
            failed.Cancel();
        }

        var started = _time.GetTimestamp();
        var events = 0;
        var request = new WatchRequest(_settings.LabelSelector, _settings.FieldSelector, _lastResourceVersion ?? "0", timeoutSeconds);
        WatchOutcome Outcome(WatchOutcomeKind kind, string reason) => new(kind, reason, events, _time.GetElapsedTime(started));
        try
        {
            await foreach (var (type, obj) in _api.WatchAsync(request, OnError, watch.Token).ConfigureAwait(false))
            {
                idle.CancelAfter(idleLimit);
                events++;
                if (obj is null) continue;
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                        Apply(obj);
                        _listener.OnBatchEnd();
                        break;
                    case WatchEventType.Deleted:
                        var key = KeyOf(obj);
                        _invalid.Remove(key);
                        Remove(key);
                        _listener.OnBatchEnd();
                        break;
                    case WatchEventType.Error:
                        return Outcome(WatchOutcomeKind.ErrorEvent, "ERROR event without a Status");
                }
                NoteResourceVersion(obj);
                if (_time.GetElapsedTime(started) >= _settings.BackoffResetAfter) _backoff.Reset();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Outcome(WatchOutcomeKind.Cancelled, "shutting down");
        }
        catch (ListenerException)
        {
            throw;
        }
        catch (Exception) when (streamError is not null)
        {
            // The stream broke because OnError stopped it; the error itself is classified below.
        }
        catch (OperationCanceledException) when (resync.IsCancellationRequested)
        {
            return Outcome(WatchOutcomeKind.Resync, "resync period");
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            return Outcome(WatchOutcomeKind.Failed, $"no data for {idleLimit}");
        }
        catch (Exception e) when (ApiErrors.IsGone(e))
        {
            return Outcome(WatchOutcomeKind.Expired, ApiErrors.Describe(e));
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            // The resource vanished from the server (an API removed): only a list can tell whether to go on.
            return Outcome(WatchOutcomeKind.ErrorEvent, ApiErrors.Describe(e));
        }
        catch (Exception e)
        {
            return Outcome(WatchOutcomeKind.Failed, ApiErrors.Describe(e)) with { RetryAfter = ApiErrors.RetryAfter(e, _settings.BackoffMax) };
        }

        if (streamError is not null)
        {
            return Outcome(ApiErrors.IsGone(streamError) ? WatchOutcomeKind.Expired : WatchOutcomeKind.ErrorEvent,
                ApiErrors.Describe(streamError));
        }
        var outcome = Outcome(WatchOutcomeKind.Closed, "closed by the server");
        if (events == 0 && outcome.Duration < MinimumHealthyWatch)
        {
            return outcome with { Kind = WatchOutcomeKind.Failed, Reason = "the server closed the watch at once" };
        }
        if (outcome.Duration >= _settings.BackoffResetAfter) _backoff.Reset();
        return outcome;
    }
}
