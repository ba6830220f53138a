using System.Diagnostics;
using System.Text;

namespace KubeProxy.Tests.Process;

/// <summary>Runs the built kube-proxy.dll (copied into the test output) as a child process, optionally inside a
/// network namespace through <c>ip netns exec</c>, which execs so the child's pid is kube-proxy's own.</summary>
internal sealed class KubeProxyProcess : IDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private KubeProxyProcess(System.Diagnostics.Process process) => _process = process;

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "kube-proxy.dll");

    public string StandardOutput
    {
        get
        {
            lock (_stdout) return _stdout.ToString();
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public int ExitCode => _process.ExitCode;

    public static KubeProxyProcess Start(IEnumerable<string> arguments, string? netns = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(netns is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        if (netns is not null)
        {
            foreach (var a in new[] { "netns", "exec", netns, "dotnet" }) info.ArgumentList.Add(a);
        }
        info.ArgumentList.Add(Dll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var process = new System.Diagnostics.Process { StartInfo = info };
        var result = new KubeProxyProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (result._stdout) result._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (result._stderr) result._stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs to completion (killed after the timeout) and returns the finished process.</summary>
    public static async Task<KubeProxyProcess> RunAsync(
        IEnumerable<string> arguments, string? netns = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var p = Start(arguments, netns, environment);
        await p.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return p;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kube-proxy did not exit within {timeout}:\n{this}");
        }
        // Let the asynchronous readers drain.
        _process.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    public void Terminate()
    {
        if (!_process.HasExited) Shell.Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    public override string ToString() => $"--- stdout ---\n{StandardOutput}--- stderr ---\n{StandardError}";
}
