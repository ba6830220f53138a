using System.Diagnostics;

namespace KubeProxy.Lab.Processes;

/// <summary>Runs short commands (ip, nft, sysctl) to completion with captured output.</summary>
public static class CommandRunner
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task<CommandResult> RunCheckedAsync(string file, params string[] args) =>
        RunCheckedAsync(file, args, stdin: null);

    /// <summary>Runs the command and throws <see cref="CommandFailedException"/> unless it exits 0.</summary>
    public static async Task<CommandResult> RunCheckedAsync(
        string file, IReadOnlyList<string> args, string? stdin, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(file, args, stdin, timeout, cancellationToken);
        return result.Succeeded ? result : throw new CommandFailedException(result, stdin);
    }

    public static async Task<CommandResult> RunAsync(
        string file, IReadOnlyList<string> args, string? stdin = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var commandLine = FormatCommandLine(file, args);
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CommandFailedException($"`{commandLine}` could not start: {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            try
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The command exited without reading all of its input (broken pipe): its exit code tells the rest.
            }
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new CommandFailedException($"`{commandLine}` did not finish within {timeout ?? DefaultTimeout}");
        }

        return new CommandResult(commandLine, process.ExitCode, await stdout, await stderr);
    }

    public static string FormatCommandLine(string file, IEnumerable<string> args) =>
        string.Join(' ', new[] { file }.Concat(args).Select(Quote));

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c)) ? arg : $"'{arg.Replace("'", "'\\''")}'";
}
