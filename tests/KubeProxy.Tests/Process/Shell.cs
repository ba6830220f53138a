using System.Diagnostics;

namespace KubeProxy.Tests.Process;

/// <summary>Runs short helper commands (ip, nft, iptables) for the process tests.</summary>
internal static class Shell
{
    public static (int ExitCode, string Output) Run(params string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command[1..]) info.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException(string.Join(' ', command));
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public static string Check(params string[] command)
    {
        var (code, output) = Run(command);
        if (code != 0) throw new InvalidOperationException($"{string.Join(' ', command)} exited {code}: {output}");
        return output;
    }
}
