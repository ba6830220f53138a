using System.Diagnostics;
using KubeProxy.Lab.Namespaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Lab.Processes;

/// <summary>
/// A long-running process (kube-proxy, echo-server) with its stdout and stderr captured into an
/// <see cref="OutputBuffer"/>. Disposing stops it: SIGTERM, then SIGKILL after a grace period.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LabProcess(string displayName, Process process, ILogger logger)
    {
        DisplayName = displayName;
        _process = process;
        _logger = logger;
    }

    public string DisplayName { get; }

    public string CommandLine => CommandRunner.FormatCommandLine(_process.StartInfo.FileName, _process.StartInfo.ArgumentList);

    public int Id => _process.Id;

    public OutputBuffer Output { get; } = new();

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code once exited; a process killed by a signal reports 128 + signal.</summary>
    public int? ExitCode => HasExited ? _process.ExitCode : null;

    /// <summary>Completes when the process has exited (for whatever reason).</summary>
    public Task Exited => _exited.Task;

    public static LabProcess Start(string displayName, string file, IEnumerable<string> args, ILogger? logger = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var lab = new LabProcess(displayName, process, logger ?? NullLogger.Instance);
        process.OutputDataReceived += (_, e) => lab.OnLine("out", e.Data);
        process.ErrorDataReceived += (_, e) => lab.OnLine("err", e.Data);
        process.Exited += (_, _) => lab._exited.TrySetResult();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new CommandFailedException($"`{lab.CommandLine}` could not start: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LabLog.ProcessStarted(lab._logger, displayName, process.Id, lab.CommandLine);
        return lab;
    }

    /// <summary>Runs <paramref name="file"/> inside <paramref name="ns"/> via <c>ip netns exec</c>, which execs it (same pid).</summary>
    public static LabProcess StartIn(NetworkNamespace ns, string displayName, string file, IEnumerable<string> args,
        ILogger? logger = null, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(displayName, "ip", new[] { "netns", "exec", ns.Name, file }.Concat(args), logger, environment);

    /// <summary>Waits for the process to exit on its own; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{DisplayName} (pid {Id}) still running after {timeout}; output:\n{Output.Text}");
        }

        await _process.WaitForExitAsync(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then SIGKILL when it has not exited within <paramref name="grace"/>. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? grace = null)
    {
        if (!HasExited)
        {
            if (LibC.kill(_process.Id, LibC.SIGTERM) != 0 && !HasExited)
            {
                LabLog.SignalFailed(_logger, DisplayName, _process.Id, LibC.LastError());
            }

            try
            {
                await _exited.Task.WaitAsync(grace ?? DefaultGrace);
            }
            catch (TimeoutException)
            {
                LabLog.ProcessKilled(_logger, DisplayName, _process.Id, grace ?? DefaultGrace);
                _process.Kill(entireProcessTree: true);
            }
        }

        await _process.WaitForExitAsync();
        LabLog.ProcessExited(_logger, DisplayName, _process.Id, _process.ExitCode);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnLine(string stream, string? line)
    {
        if (line is not null)
        {
            Output.Append(stream, line);
        }
    }
}
