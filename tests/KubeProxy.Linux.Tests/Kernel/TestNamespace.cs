using System.Diagnostics;
using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Tests.Kernel;

/// <summary>
/// A network namespace for one test: unique name, no links to anything (conntrack entries need no traffic),
/// deleted on dispose even when the test failed.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    private TestNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string Path => NetworkNamespace.PathOf(Name);

    public NetlinkSocketOptions SocketOptions => new() { NetworkNamespacePath = Path };

    public static TestNamespace Create(string purpose)
    {
        var name = $"kpct-{purpose}-{Guid.NewGuid().ToString("N")[..8]}";
        Run("ip", "netns", "add", name);
        return new TestNamespace(name);
    }

    /// <summary>Runs a command inside the namespace and returns its standard output.</summary>
    public string Exec(params string[] command) => Run("ip", ["netns", "exec", Name, .. command]);

    /// <summary><c>conntrack -L</c> in this namespace, one line per entry.</summary>
    public IReadOnlyList<string> ConntrackList(params string[] arguments) =>
        Exec(["conntrack", "-L", .. arguments]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose() => Run("ip", "netns", "del", Name);

    public static string Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
