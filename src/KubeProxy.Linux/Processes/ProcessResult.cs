namespace KubeProxy.Linux.Processes;

/// <summary>The outcome of running a command to completion.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
