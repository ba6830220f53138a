namespace KubeProxy.Configuration;

/// <summary>
/// Watches the <c>--config</c> file and calls back once when it is written, renamed, removed or replaced.
/// Upstream exits with an error on such a change so that the DaemonSet restarts it with the new file; the
/// caller is expected to do the same (log the reason, then exit non-zero).
/// Two mechanisms, because neither is enough alone: a FileSystemWatcher on the directory reacts at once to
/// writes, renames and removals; a content-hash poll catches what inotify cannot see on the path itself, such
/// as a ConfigMap volume update (an atomic swap of the "..data" symlink the file points through).
/// </summary>
public sealed class ConfigFileWatcher : IDisposable
{
    private readonly string _path;
    private readonly string _fileName;
    private readonly Action<string> _onChanged;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _pollInterval;
    private readonly bool _useFileSystemWatcher;
    private string? _initialHash;
    private FileSystemWatcher? _watcher;
    private ITimer? _timer;
    private int _fired;

    /// <param name="path">The config file.</param>
    /// <param name="onChanged">Called at most once, on a thread-pool thread, with a one-line reason.</param>
    /// <param name="timeProvider">Drives the poll; tests pass a fake.</param>
    /// <param name="pollInterval">How often the content hash is compared (default 2 s).</param>
    /// <param name="initialContentHash">
    /// The hash of the content that was actually loaded (<see cref="ConfigLoadResult.ContentHash"/>), so a change
    /// between loading and <see cref="Start"/> is not missed. When null, the content at Start is the reference.
    /// </param>
    /// <param name="useFileSystemWatcher">False to rely on polling alone.</param>
    public ConfigFileWatcher(
        string path,
        Action<string> onChanged,
        TimeProvider? timeProvider = null,
        TimeSpan? pollInterval = null,
        string? initialContentHash = null,
        bool useFileSystemWatcher = true)
    {
        _path = Path.GetFullPath(path);
        _fileName = Path.GetFileName(_path);
        _onChanged = onChanged;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(2);
        _initialHash = initialContentHash;
        _useFileSystemWatcher = useFileSystemWatcher;
    }

    /// <summary>True once the callback has been invoked.</summary>
    public bool HasFired => Volatile.Read(ref _fired) != 0;

    public void Start()
    {
        _initialHash ??= CurrentHash();
        if (_useFileSystemWatcher)
        {
            StartFileSystemWatcher();
        }

        _timer = _timeProvider.CreateTimer(_ => Poll(), null, _pollInterval, _pollInterval);
    }

    private void StartFileSystemWatcher()
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size |
                               NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, e) => OnEvent(e.Name, "written");
            watcher.Created += (_, e) => OnEvent(e.Name, "replaced");
            watcher.Deleted += (_, e) => OnEvent(e.Name, "removed");
            watcher.Renamed += (_, e) =>
            {
                OnEvent(e.OldName, "renamed");
                OnEvent(e.Name, "replaced");
            };
            watcher.EnableRaisingEvents = true;
            _watcher = watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches or an unusual file system: the poll still notices changes.
            _watcher = null;
        }
    }

    private void OnEvent(string? name, string what)
    {
        if (string.Equals(name, _fileName, StringComparison.Ordinal))
        {
            Fire($"content of the proxy server's configuration file {_path} was updated ({what})");
        }
    }

    private void Poll()
    {
        if (HasFired)
        {
            return;
        }

        var hash = CurrentHash();
        if (!string.Equals(hash, _initialHash, StringComparison.Ordinal))
        {
            Fire($"content of the proxy server's configuration file {_path} was updated ({(hash is null ? "removed" : "content changed")})");
        }
    }

    private string? CurrentHash()
    {
        try
        {
            return KubeProxyConfigurationLoader.Hash(File.ReadAllBytes(_path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Fire(string reason)
    {
        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _onChanged(reason);
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _timer?.Dispose();
    }
}
