using System.Net.Sockets;
using KubeProxy.Lab.Processes;

namespace KubeProxy.Lab.Namespaces;

/// <summary>
/// A named network namespace (<c>/var/run/netns/NAME</c>, as <c>ip netns</c> makes them) and the ways into it:
/// <c>ip -n</c>, <c>ip netns exec</c>, and in-process work on a thread that has entered it.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    public const string RunDirectory = "/var/run/netns";
    private readonly Lock _lock = new();
    private NamespaceThread? _thread;
    private bool _disposed;

    internal NetworkNamespace(string name)
    {
        Name = name;
    }

    /// <summary>The full name, e.g. <c>kpl-a1b2c3-node-1</c>.</summary>
    public string Name { get; }

    public string Path => $"{RunDirectory}/{Name}";

    public bool Exists => File.Exists(Path);

    /// <summary>Creates a new, empty namespace (<c>ip netns add</c>).</summary>
    public static async Task<NetworkNamespace> CreateAsync(string name)
    {
        await CommandRunner.RunCheckedAsync("ip", "netns", "add", name);
        return new NetworkNamespace(name);
    }

    /// <summary>Names of all namespaces in <c>/var/run/netns</c>.</summary>
    public static IReadOnlyList<string> List() =>
        Directory.Exists(RunDirectory)
            ? Directory.GetFiles(RunDirectory).Select(System.IO.Path.GetFileName).OfType<string>().Order().ToList()
            : [];

    /// <summary>
    /// Runs synchronous <paramref name="work"/> on a thread inside this namespace (sockets created there stay
    /// in it). Never pass an async lambda: its continuation would run outside.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> work) => Thread().RunAsync(work);

    public Task RunAsync(Action work) => Thread().RunAsync(() =>
    {
        work();
        return true;
    });

    /// <summary>A socket that lives in this namespace, usable from any thread.</summary>
    public Task<Socket> CreateSocketAsync(AddressFamily family, SocketType type, ProtocolType protocol) =>
        RunAsync(() => new Socket(family, type, protocol));

    /// <summary><c>ip -n NAME args...</c>, failing with the command line and stderr.</summary>
    public Task<CommandResult> IpAsync(params string[] args) =>
        CommandRunner.RunCheckedAsync("ip", ["-n", Name, .. args], stdin: null);

    /// <summary>Runs many <c>ip</c> commands (one per line, without the leading "ip") in one process.</summary>
    public Task<CommandResult> IpBatchAsync(IEnumerable<string> lines) =>
        CommandRunner.RunCheckedAsync("ip", ["-n", Name, "-batch", "-"], string.Join('\n', lines) + "\n");

    /// <summary><c>ip netns exec NAME file args...</c>, failing with the command line and stderr.</summary>
    public Task<CommandResult> ExecAsync(string file, params string[] args) =>
        CommandRunner.RunCheckedAsync("ip", ["netns", "exec", Name, file, .. args], stdin: null);

    /// <summary><c>ip netns exec NAME file args...</c> without failing on a non-zero exit.</summary>
    public Task<CommandResult> TryExecAsync(string file, params string[] args) =>
        CommandRunner.RunAsync("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>Feeds an nft script to <c>nft -f -</c> inside this namespace (only ever touches this namespace).</summary>
    public Task<CommandResult> NftAsync(string script) =>
        CommandRunner.RunCheckedAsync("ip", ["netns", "exec", Name, "nft", "-f", "-"], script);

    /// <summary>Sets a sysctl of this namespace, e.g. <c>net.ipv4.ip_forward</c>, through /proc/sys on the namespace thread.</summary>
    public Task WriteSysctlAsync(string key, string value) =>
        RunAsync(() => File.WriteAllText(SysctlPath(key), value));

    public Task<string> ReadSysctlAsync(string key) =>
        RunAsync(() => File.ReadAllText(SysctlPath(key)).Trim());

    /// <summary>Process ids running in this namespace (<c>ip netns pids</c>).</summary>
    public async Task<IReadOnlyList<int>> PidsAsync()
    {
        var result = await CommandRunner.RunAsync("ip", ["netns", "pids", Name]);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToList();
    }

    /// <summary>Stops the namespace thread and deletes the namespace (<c>ip netns del</c>); missing is fine.</summary>
    public async ValueTask DisposeAsync()
    {
        StopThread();
        if (Exists)
        {
            var result = await CommandRunner.RunAsync("ip", ["netns", "del", Name]);
            if (!result.Succeeded && Exists)
            {
                throw new CommandFailedException(result);
            }
        }
    }

    public override string ToString() => Name;

    /// <summary>Ends the in-process thread; the namespace itself is left alone (the lab deletes many at once).</summary>
    internal void StopThread()
    {
        NamespaceThread? thread;
        lock (_lock)
        {
            _disposed = true;
            thread = _thread;
            _thread = null;
        }

        thread?.Dispose();
    }

    private static string SysctlPath(string key) => "/proc/sys/" + key.Replace('.', '/');

    private NamespaceThread Thread()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _thread ??= new NamespaceThread(Name, Path);
        }
    }
}
