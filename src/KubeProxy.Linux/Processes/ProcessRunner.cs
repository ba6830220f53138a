using System.Diagnostics;

namespace KubeProxy.Linux.Processes;

/// <summary>
/// Runs system tools (nft, iptables-restore, ...) with input on stdin and captured output. Arguments are passed as a
/// list, never through a shell, so nothing from the API can be interpreted as shell syntax.
/// </summary>
public static class ProcessRunner
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null) =>
        RunWithInput(fileName, arguments, standardInput is null ? null : stdin => stdin.Write(standardInput), timeout);

    /// <summary>
    /// As <see cref="Run"/>, with stdin written by <paramref name="writeInput"/> (which may write straight to the
    /// writer's BaseStream after a Flush), so a large input never has to exist as one string. A tool that stops
    /// reading early (it failed) is not an error here: its exit code and stderr say why.
    /// </summary>
    public static ProcessResult RunWithInput(string fileName, IEnumerable<string> arguments, Action<StreamWriter>? writeInput, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = writeInput is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (writeInput is not null)
        {
            try
            {
                writeInput(process.StandardInput);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool stopped reading (it failed early): its exit code and message below say why.
            }
        }

        if (!process.WaitForExit(limit))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{fileName} did not finish within {limit}");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Whether an executable of that name is on PATH.</summary>
    public static bool IsOnPath(string fileName)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, fileName)));
    }
}
