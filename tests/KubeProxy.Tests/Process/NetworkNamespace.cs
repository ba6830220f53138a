namespace KubeProxy.Tests.Process;

/// <summary>A fresh, unlinked network namespace with a unique name, deleted on dispose.</summary>
internal sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        var ns = new NetworkNamespace("kpt-" + Guid.NewGuid().ToString("N")[..8]);
        Shell.Check("ip", "netns", "add", ns.Name);
        ns.Exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs a command inside the namespace and fails the test if it fails.</summary>
    public string Exec(params string[] command) => Shell.Check(["ip", "netns", "exec", Name, .. command]);

    /// <summary>Runs a command inside the namespace; returns exit code and output.</summary>
    public (int ExitCode, string Output) TryExec(params string[] command) => Shell.Run(["ip", "netns", "exec", Name, .. command]);

    public void Dispose() => Shell.Run("ip", "netns", "delete", Name);
}
