using KubeProxy.Configuration;

namespace KubeProxy.Cli;

/// <summary>
/// The outcome of <see cref="KubeProxyCommandLine.Parse"/>: what to do, with what settings, and what to warn
/// about once logging is set up. <see cref="Execute"/> carries out the actions that need no proxy (help,
/// version, write-config, error) so Program only has to handle Run, Cleanup and InitOnly.
/// </summary>
public sealed class CommandLineResult
{
    public required CliAction Action { get; init; }

    /// <summary>0, or 1 for <see cref="CliAction.Error"/>.</summary>
    public int ExitCode => Action == CliAction.Error ? 1 : 0;

    /// <summary>One line naming the flag or field at fault, for <see cref="CliAction.Error"/>.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Usage or version text, for <see cref="CliAction.Help"/> and <see cref="CliAction.Version"/>.</summary>
    public string? Output { get; init; }

    /// <summary>Things to log as warnings: deprecated or ignored flags, lenient decoding, unknown feature gates.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The effective configuration (after file, flags and defaults); null for help, version and errors.</summary>
    public KubeProxyConfiguration? Configuration { get; init; }

    /// <summary>The typed settings to run with; null for help, version and errors.</summary>
    public ProxyOptions? Options { get; init; }

    /// <summary>The --config file, to hand to <see cref="ConfigFileWatcher"/>.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The hash of the config file content that was loaded (see <see cref="ConfigFileWatcher"/>).</summary>
    public string? ConfigContentHash { get; init; }

    /// <summary>The --write-config-to path.</summary>
    public string? WriteConfigTo { get; init; }

    /// <summary>
    /// Performs Help, Version, WriteConfig and Error and returns the exit code; returns null for Run, Cleanup
    /// and InitOnly, which the caller performs. Warnings are printed to <paramref name="stderr"/> only for the
    /// actions handled here; otherwise the caller logs them.
    /// </summary>
    public int? Execute(TextWriter stdout, TextWriter stderr)
    {
        switch (Action)
        {
            case CliAction.Help:
            case CliAction.Version:
                stdout.Write(Output);
                return 0;
            case CliAction.Error:
                PrintWarnings(stderr);
                stderr.WriteLine("Error: " + ErrorMessage);
                return 1;
            case CliAction.WriteConfig:
                PrintWarnings(stderr);
                try
                {
                    KubeProxyConfigurationWriter.WriteFile(WriteConfigTo!, Configuration!);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"Error: failed to write configuration to \"{WriteConfigTo}\": {e.Message}");
                    return 1;
                }

                stderr.WriteLine($"Wrote configuration to: {WriteConfigTo}");
                return 0;
            default:
                return null;
        }
    }

    private void PrintWarnings(TextWriter stderr)
    {
        foreach (var warning in Warnings)
        {
            stderr.WriteLine("Warning: " + warning);
        }
    }
}
