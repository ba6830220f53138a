namespace KubeProxy.Core.Sync;

/// <summary>
/// Runs a sync function when asked, but never more often than <c>minInterval</c>, at least every
/// <c>maxInterval</c>, and again after <c>retryInterval</c> when it fails (upstream's BoundedFrequencyRunner).
/// Requests made while a run is pending or in progress coalesce into one. Time comes from a
/// <see cref="TimeProvider"/> so tests drive it with virtual time.
/// </summary>
public sealed class BoundedFrequencyRunner
{
    private readonly Func<CancellationToken, bool> _run;
    private readonly TimeSpan _minInterval;
    private readonly TimeSpan _retryInterval;
    private readonly TimeSpan _maxInterval;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private int _requested;

    /// <param name="run">The sync; returns false (or throws) when it failed and must be retried.</param>
    public BoundedFrequencyRunner(
        Func<CancellationToken, bool> run, TimeSpan minInterval, TimeSpan retryInterval, TimeSpan maxInterval, TimeProvider time)
    {
        _run = run;
        _minInterval = minInterval;
        _retryInterval = retryInterval < maxInterval ? retryInterval : maxInterval;
        _maxInterval = maxInterval;
        _time = time;
    }

    /// <summary>Number of completed runs (successful or not); for tests and diagnostics.</summary>
    public long Runs { get; private set; }

    /// <summary>Asks for a run as soon as the minimum interval allows. Never blocks.</summary>
    public void Run()
    {
        if (Interlocked.Exchange(ref _requested, 1) == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public async Task LoopAsync(CancellationToken cancellationToken)
    {
        var lastRun = DateTimeOffset.MinValue;
        var nextForced = _time.GetUtcNow() + _maxInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Wait for a request or the forced deadline, whichever comes first.
            var untilForced = nextForced - _time.GetUtcNow();
            if (Volatile.Read(ref _requested) == 0 && untilForced > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(untilForced, _time, timeout.Token);
                var signalled = _signal.WaitAsync(timeout.Token);
                await Task.WhenAny(delay, signalled).ConfigureAwait(false);
                await timeout.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            // Respect the minimum interval since the previous run (requests arriving meanwhile coalesce).
            var earliest = lastRun == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : lastRun + _minInterval;
            var wait = earliest - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _requested, 0);
            // Drain a pending signal so the next wait blocks until a new request.
            _signal.Wait(0, CancellationToken.None);

            bool ok;
            try
            {
                ok = _run(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception)
            {
                ok = false;
            }

            Runs++;
            lastRun = _time.GetUtcNow();
            nextForced = lastRun + (ok ? _maxInterval : _retryInterval);
        }
    }
}
