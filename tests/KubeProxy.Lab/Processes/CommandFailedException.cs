namespace KubeProxy.Lab.Processes;

/// <summary>A command exited non-zero (or timed out); the message carries the command line, stdin and stderr.</summary>
public sealed class CommandFailedException : Exception
{
    public CommandFailedException(CommandResult result, string? stdin = null)
        : base(Describe(result, stdin))
    {
        Result = result;
    }

    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CommandResult? Result { get; }

    private static string Describe(CommandResult result, string? stdin)
    {
        var message = $"`{result.CommandLine}` exited {result.ExitCode}";
        if (result.Stderr.Length > 0)
        {
            message += $": {result.Stderr.Trim()}";
        }

        if (result.Stdout.Trim().Length > 0)
        {
            message += $"\nstdout:\n{result.Stdout.TrimEnd()}";
        }

        if (stdin is not null)
        {
            // Batches report failures by line number ("Command failed -:3"): show the numbered input.
            var numbered = stdin.TrimEnd('\n').Split('\n').Select((line, i) => $"{i + 1,4}: {line}");
            message += $"\nstdin:\n{string.Join('\n', numbered)}";
        }

        return message;
    }
}
