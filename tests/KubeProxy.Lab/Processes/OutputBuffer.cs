using System.Text;

namespace KubeProxy.Lab.Processes;

/// <summary>
/// The lines a long-running process printed, kept (up to a cap) so a failing test can show them, and
/// awaitable so tests wait for a line instead of sleeping.
/// </summary>
public sealed class OutputBuffer
{
    private readonly Lock _lock = new();
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;
    private readonly DateTimeOffset _started;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dropped;

    public OutputBuffer(int capacity = 20_000, TimeProvider? time = null)
    {
        _capacity = capacity;
        _time = time ?? TimeProvider.System;
        _started = _time.GetUtcNow();
    }

    /// <summary>Every kept line, each as "+SS.mmm stream| text".</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                var text = new StringBuilder();
                if (_dropped > 0)
                {
                    text.Append("... ").Append(_dropped).AppendLine(" earlier lines dropped");
                }

                foreach (var line in _lines)
                {
                    text.AppendLine(line);
                }

                return text.ToString();
            }
        }
    }

    /// <summary>The kept lines without their timestamps and stream tags.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return _lines.Select(l => l[(l.IndexOf('|') + 2)..]).ToList();
            }
        }
    }

    public void Append(string stream, string line)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            var elapsed = _time.GetUtcNow() - _started;
            _lines.Enqueue($"+{elapsed.TotalSeconds,7:F3} {stream}| {line}");
            if (_lines.Count > _capacity)
            {
                _lines.Dequeue();
                _dropped++;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Completes when the next line arrives (or at once, if one arrives while checking).</summary>
    public Task NextLineAsync()
    {
        lock (_lock)
        {
            return _changed.Task;
        }
    }

    /// <summary>Waits until a line matching <paramref name="predicate"/> was printed, and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var next = NextLineAsync();
            var match = Lines.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no matching output line within {timeout}; output so far:\n{Text}");
            }
        }
    }
}
