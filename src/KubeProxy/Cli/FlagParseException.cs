namespace KubeProxy.Cli;

/// <summary>A command line that cannot be parsed; the message is pflag's, e.g. "unknown flag: --foo".</summary>
public sealed class FlagParseException : Exception
{
    public FlagParseException(string message)
        : base(message)
    {
    }

    public FlagParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
