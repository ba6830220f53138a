namespace KubeProxy.Cli;

/// <summary>
/// One command-line flag, pflag style. <see cref="Apply"/> parses a value and stores it, returning an error
/// text (without the flag name) when the value is not acceptable.
/// </summary>
internal sealed class Flag
{
    public required string Name { get; init; }

    /// <summary>The one-letter form ("v" for -v), if any.</summary>
    public char? Shorthand { get; init; }

    /// <summary>The value type as pflag prints it in help ("string", "duration", "int32"); empty for booleans.</summary>
    public required string TypeName { get; init; }

    public required string Usage { get; init; }

    /// <summary>The default as help prints it, or null to print none.</summary>
    public string? DefaultText { get; init; }

    /// <summary>The value used when the flag is given without one ("true" for booleans); null requires a value.</summary>
    public string? NoOptionValue { get; init; }

    /// <summary>A deprecation message; using the flag then prints a warning.</summary>
    public string? Deprecated { get; init; }

    /// <summary>Whether a config file makes this flag ignored (upstream binds it into the configuration).</summary>
    public bool IgnoredWithConfig { get; init; }

    /// <summary>The config fields the flag sets, for naming the flag in validation errors.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    public required Func<string, string?> Apply { get; init; }

    /// <summary>Set once the flag appeared on the command line (pflag's Changed).</summary>
    public bool Changed { get; set; }

    /// <summary>"-v, --v" or "--config", as pflag names a flag in errors.</summary>
    public string DisplayName => Shorthand is { } s ? $"-{s}, --{Name}" : "--" + Name;
}
