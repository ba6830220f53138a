using KubeProxy.Core.Sync;
using KubeProxy.Core.Tests.Support;

namespace KubeProxy.Core.Tests.Sync;

/// <summary>
/// The runner against virtual time (upstream pkg/proxy/runner tests check the same properties with a fake clock).
/// The loop runs on the thread pool; a test advances fake time only once the loop has created the timer it is
/// waiting on, and checks the fake time each run started at.
/// </summary>
public sealed class BoundedFrequencyRunnerTests : IAsyncDisposable
{
    private static readonly TimeSpan Min = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    private readonly RecordingTimeProvider _time = new();
    private readonly DateTimeOffset _t0;
    private readonly object _lock = new();
    private readonly List<DateTimeOffset> _runTimes = [];
    private readonly CancellationTokenSource _cts = new();
    private BoundedFrequencyRunner _runner = null!;
    private Task? _loop;

    public BoundedFrequencyRunnerTests() => _t0 = _time.GetUtcNow();

    /// <summary>Decides each run's outcome from its 0-based index: true = success, false = failure; may throw.</summary>
    private Func<int, CancellationToken, bool> _outcome = (_, _) => true;

    private IReadOnlyList<DateTimeOffset> RunTimes
    {
        get { lock (_lock) return _runTimes.ToList(); }
    }

    private void Start(TimeSpan? retry = null, bool startLoop = true)
    {
        _runner = new BoundedFrequencyRunner(ct =>
        {
            int index;
            lock (_lock)
            {
                index = _runTimes.Count;
                _runTimes.Add(_time.GetUtcNow());
            }
            return _outcome(index, ct);
        }, Min, retry ?? Retry, Max, _time);
        if (startLoop) StartLoop();
    }

    private void StartLoop() => _loop = Task.Run(() => _runner.LoopAsync(_cts.Token));

    private Task WaitForRunsAsync(int n) => Poll.UntilAsync(() => RunTimes.Count >= n && _runner.Runs >= n, $"{n} runs (have {RunTimes.Count})");

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop.WaitAsync(Poll.DefaultDeadline); }
            catch (OperationCanceledException) { }
        }
        _cts.Dispose();
    }

    [Fact]
    public async Task FirstRunHappensImmediately()
    {
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);
        Assert.Equal([_t0], RunTimes);
    }

    [Fact]
    public async Task RequestMadeBeforeTheLoopStartsIsKept()
    {
        Start(startLoop: false);
        _runner.Run();
        StartLoop();
        await WaitForRunsAsync(1);
        Assert.Equal([_t0], RunTimes);
    }

    [Fact]
    public async Task RunsAreAtLeastMinIntervalApartAndRequestsCoalesce()
    {
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);

        Parallel.For(0, 100, _ => _runner.Run());
        await _time.WaitForTimerAsync(_t0 + Min);
        _time.Advance(Min - TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForRunsAsync(2);

        // Back to idle: the next timer is the periodic one, so the hundred requests made exactly one run.
        await _time.WaitForTimerAsync(_t0 + Min + Max);
        Assert.Equal([_t0, _t0 + Min], RunTimes);
    }

    [Fact]
    public async Task RequestsDuringARunCoalesceIntoOneRunAfterMinInterval()
    {
        using var inRun = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        _outcome = (i, _) =>
        {
            if (i == 0)
            {
                inRun.Set();
                release.Wait(Poll.DefaultDeadline, CancellationToken.None);
            }
            return true;
        };
        Start();
        _runner.Run();
        Assert.True(inRun.Wait(Poll.DefaultDeadline));

        for (var i = 0; i < 10; i++) _runner.Run();
        release.Set();
        await _time.WaitForTimerAsync(_t0 + Min);
        _time.Advance(Min);
        await WaitForRunsAsync(2);

        await _time.WaitForTimerAsync(_t0 + Min + Max);
        Assert.Equal([_t0, _t0 + Min], RunTimes);
    }

    [Fact]
    public async Task RequestLongAfterTheLastRunRunsAtOnce()
    {
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);
        await _time.WaitForTimerAsync(_t0 + Max);

        _time.Advance(TimeSpan.FromSeconds(30));
        _runner.Run();
        await WaitForRunsAsync(2);

        Assert.Equal(_t0 + TimeSpan.FromSeconds(30), RunTimes[1]);
    }

    [Fact]
    public async Task WithoutRequestsItRunsEveryMaxInterval()
    {
        Start();
        for (var i = 1; i <= 3; i++)
        {
            await _time.WaitForTimerAsync(_t0 + (Max * i));
            _time.Advance(Max);
            await WaitForRunsAsync(i);
        }
        Assert.Equal([_t0 + Max, _t0 + (2 * Max), _t0 + (3 * Max)], RunTimes);
    }

    [Fact]
    public async Task FailureIsRetriedAfterRetryInterval()
    {
        _outcome = (i, _) => i != 0;
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);

        await _time.WaitForTimerAsync(_t0 + Retry);
        _time.Advance(Retry);
        await WaitForRunsAsync(2);

        // The retry succeeded: back to the periodic schedule.
        await _time.WaitForTimerAsync(_t0 + Retry + Max);
        Assert.Equal([_t0, _t0 + Retry], RunTimes);
    }

    [Fact]
    public async Task ExceptionCountsAsFailure()
    {
        _outcome = (i, _) => i == 0 ? throw new InvalidOperationException("boom") : true;
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);

        await _time.WaitForTimerAsync(_t0 + Retry);
        _time.Advance(Retry);
        await WaitForRunsAsync(2);
        Assert.Equal([_t0, _t0 + Retry], RunTimes);
        Assert.False(_loop!.IsCompleted);
    }

    [Fact]
    public async Task RepeatedFailuresKeepRetrying()
    {
        _outcome = (i, _) => i >= 3;
        Start();
        _runner.Run();
        for (var i = 1; i <= 3; i++)
        {
            await WaitForRunsAsync(i);
            await _time.WaitForTimerAsync(_t0 + (Retry * i));
            _time.Advance(Retry);
        }
        await WaitForRunsAsync(4);
        Assert.Equal([_t0, _t0 + Retry, _t0 + (2 * Retry), _t0 + (3 * Retry)], RunTimes);
    }

    [Fact]
    public async Task RetryIntervalIsCappedAtMaxInterval()
    {
        _outcome = (i, _) => i != 0;
        Start(retry: TimeSpan.FromMinutes(10));
        _runner.Run();
        await WaitForRunsAsync(1);

        await _time.WaitForTimerAsync(_t0 + Max);
        _time.Advance(Max);
        await WaitForRunsAsync(2);
        Assert.Equal([_t0, _t0 + Max], RunTimes);
    }

    [Fact]
    public async Task RequestAfterAFailureRunsSoonerAndItsSuccessCancelsTheRetry()
    {
        _outcome = (i, _) => i != 0;
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);

        _runner.Run();
        await _time.WaitForTimerAsync(_t0 + Min);
        _time.Advance(Min);
        await WaitForRunsAsync(2);

        await _time.WaitForTimerAsync(_t0 + Min + Max);
        Assert.Equal([_t0, _t0 + Min], RunTimes);
        Assert.DoesNotContain(_t0 + Min + Retry, _time.DueTimes);
    }

    [Fact]
    public async Task CancellationStopsTheLoop()
    {
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);
        await _time.WaitForTimerAsync(_t0 + Max);

        await _cts.CancelAsync();
        await AssertStoppedAsync();

        _runner.Run();
        _time.Advance(Max * 3);
        Assert.Single(RunTimes);
        Assert.Equal(1, _runner.Runs);
    }

    [Fact]
    public async Task CancellationDuringTheMinIntervalWaitStopsTheLoop()
    {
        Start();
        _runner.Run();
        await WaitForRunsAsync(1);
        _runner.Run();
        await _time.WaitForTimerAsync(_t0 + Min);

        await _cts.CancelAsync();
        await AssertStoppedAsync();

        _time.Advance(Min);
        Assert.Single(RunTimes);
    }

    [Fact]
    public async Task TheRunSeesTheLoopCancellationToken()
    {
        using var inRun = new ManualResetEventSlim();
        _outcome = (_, ct) =>
        {
            inRun.Set();
            ct.WaitHandle.WaitOne(Poll.DefaultDeadline);
            ct.ThrowIfCancellationRequested();
            return true;
        };
        Start();
        _runner.Run();
        Assert.True(inRun.Wait(Poll.DefaultDeadline));

        await _cts.CancelAsync();
        await AssertStoppedAsync();
    }

    private async Task AssertStoppedAsync()
    {
        try
        {
            await _loop!.WaitAsync(Poll.DefaultDeadline);
        }
        catch (OperationCanceledException)
        {
            // Stopping by cancellation may surface as a cancelled task; either way the loop has ended.
        }
        Assert.True(_loop!.IsCompleted);
    }
}
