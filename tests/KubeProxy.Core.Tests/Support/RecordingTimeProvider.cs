using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Core.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records when each timer is due (in fake time). Code under test only creates
/// a timer right before it waits, so "a timer due at T exists" tells a test the code is now blocked until T — the
/// synchronisation point that lets it advance time without racing the thread pool.
/// </summary>
internal sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly object _lock = new();
    private readonly List<DateTimeOffset> _dueTimes = [];

    public RecordingTimeProvider() : base(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

    public IReadOnlyList<DateTimeOffset> DueTimes
    {
        get { lock (_lock) return _dueTimes.ToList(); }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_lock) _dueTimes.Add(GetUtcNow() + dueTime);
        }
        return timer;
    }

    /// <summary>Waits until some timer due exactly at <paramref name="due"/> has been created.</summary>
    public Task WaitForTimerAsync(DateTimeOffset due) =>
        Poll.UntilAsync(() => DueTimes.Contains(due), $"a timer due at {due:O}; timers: {string.Join(", ", DueTimes.Select(d => d.ToString("O")))}");
}
