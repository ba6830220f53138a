using System.Collections.Concurrent;

namespace KubeProxy.Lab.Namespaces;

/// <summary>
/// A dedicated thread that has entered one network namespace (setns), running synchronous work items there.
/// A socket takes the namespace of the thread that creates it and keeps it, so sockets made here can then be
/// used asynchronously from any thread: no process per probe.
/// </summary>
internal sealed class NamespaceThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private readonly string _path;
    private Exception? _enterError;

    public NamespaceThread(string name, string path)
    {
        _path = path;
        _thread = new Thread(Run) { IsBackground = true, Name = $"netns {name}" };
        _thread.Start();
    }

    /// <summary>
    /// Runs <paramref name="work"/> inside the namespace. It must be synchronous: an await would continue on
    /// another thread, outside the namespace.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        // Continuations never run on this thread, so nothing else ever executes inside the namespace by accident.
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    if (_enterError is not null)
                    {
                        throw new InvalidOperationException($"could not enter network namespace {_path}", _enterError);
                    }

                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            done.SetException(new ObjectDisposedException($"network namespace thread for {_path}"));
        }

        return done.Task;
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(10));
        _work.Dispose();
    }

    private void Run()
    {
        try
        {
            using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read);
            if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
            {
                _enterError = new IOException($"setns({_path}, CLONE_NEWNET) failed: {LibC.LastError()}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _enterError = e;
        }

        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
