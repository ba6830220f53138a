using KubeProxy.Core.Sources;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// <c>--manifests DIR</c>: Services, EndpointSlices, this Node and ServiceCIDRs read from YAML and JSON files in one
/// directory (not recursive), kept up to date while the files change. A FileSystemWatcher gives quick reaction; a
/// cheap rescan every <see cref="PollInterval"/> (size and modification time) catches what it misses (network file
/// systems, ConfigMap symlink swaps, inotify limits). Each rescan computes the whole desired set and tells the sink
/// only what differs from what it was last told.
/// </summary>
public sealed partial class ManifestSource : IProxySource
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Wait this long after a watcher event before reading, so a burst of writes is read once.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(100);

    private readonly string _directory;
    private readonly string _nodeName;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changeSignal = NewSignal();
    private volatile bool _watcherSawChange;
    private int _started;

    public ManifestSource(string directory, string nodeName, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _directory = Path.GetFullPath(directory);
        _nodeName = nodeName;
        _logger = logger;
        _time = timeProvider;
    }

    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    public TimeSpan Debounce { get; init; } = DefaultDebounce;

    /// <summary>Tests turn the watcher off to exercise the periodic rescan alone.</summary>
    internal bool UseFileSystemWatcher { get; init; } = true;

    public async Task RunAsync(IProxyEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("ManifestSource.RunAsync may only run once");
        if (!Directory.Exists(_directory)) throw new DirectoryNotFoundException($"manifest directory {_directory} does not exist");

        // Start watching before the first read so that no change can slip in between.
        using var watcher = UseFileSystemWatcher ? StartWatcher() : null;
        Synchronise(sink, initial: true);
        sink.OnServicesSynced();
        sink.OnEndpointSlicesSynced();

        try
        {
            while (true)
            {
                // Whoever noticed the change, give the writer a moment to finish: a file being rewritten in place
                // is briefly empty, and reading it then would delete everything it defines.
                if (await WaitForChangeAsync(cancellationToken).ConfigureAwait(false) || AnyFileChanged())
                {
                    await Task.Delay(Debounce, _time, cancellationToken).ConfigureAwait(false);
                }
                Synchronise(sink, initial: false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    /// <summary>
    /// True when the watcher reported something, false when the poll interval passed quietly. Written without
    /// exceptions on the quiet path: this runs twice a second for as long as kube-proxy runs.
    /// </summary>
    private async Task<bool> WaitForChangeAsync(CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _changeSignal);
        using var stopPoll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poll = Task.Delay(PollInterval, _time, stopPoll.Token);
        await Task.WhenAny(signal.Task, poll).ConfigureAwait(false);
        stopPoll.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        if (!signal.Task.IsCompleted) return false;
        // Re-arm. An event that lands between the wake-up and this swap set _watcherSawChange, so the rescan that
        // follows reads it anyway.
        Interlocked.CompareExchange(ref _changeSignal, NewSignal(), signal);
        return true;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FileSystemWatcher? StartWatcher()
    {
        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite |
                    NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => SignalChange();
            watcher.Created += (_, _) => SignalChange();
            watcher.Deleted += (_, _) => SignalChange();
            watcher.Renamed += (_, _) => SignalChange();
            watcher.Error += (_, e) =>
            {
                _logger.WatcherError(_directory, e.GetException().Message);
                SignalChange();
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            _logger.WatcherFailed(_directory, PollInterval, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Any event re-reads every file rather than the one named: a ConfigMap volume swaps a "..data" symlink and the
    /// files that change never appear in an event. Unchanged files are recognised by their content hash and cost
    /// a read, not a parse.
    /// </summary>
    private void SignalChange()
    {
        _watcherSawChange = true;
        Volatile.Read(ref _changeSignal).TrySetResult();
    }
}
