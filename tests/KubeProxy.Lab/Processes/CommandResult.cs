namespace KubeProxy.Lab.Processes;

/// <summary>A finished command: how it was called, its exit code and everything it printed.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}
