using System.Globalization;
using System.Text;

namespace KubeProxy.Cli;

/// <summary>
/// A command-line parser with the rules of Go's spf13/pflag, which upstream kube-proxy uses through cobra.
/// System.CommandLine 2.0 was tried first and accepts most forms (--flag=value, -v=4, -v4), but differs where
/// drop-in use notices: a flag given twice is an error there and "last one wins" here (DaemonSet templates
/// append overrides); repeated list and map flags accumulate here; "--masquerade-all false" leaves "false" as
/// a stray argument here (so kube-proxy rejects it) while System.CommandLine consumes it; underscores in flag
/// names are normalised to dashes here (--proxy_mode); and upstream's exact error texts and "Changed" tracking
/// (needed for the --config precedence rules) are simpler to keep in a small parser of our own.
/// </summary>
internal sealed class FlagSet
{
    private readonly Dictionary<string, Flag> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<char, Flag> _shorthands = [];

    public string Name { get; }

    public FlagSet(string name) => Name = name;

    public IEnumerable<Flag> Flags => _flags.Values;

    public void Add(Flag flag)
    {
        _flags.Add(Normalize(flag.Name), flag);
        if (flag.Shorthand is { } s)
        {
            _shorthands.Add(s, flag);
        }
    }

    public Flag? Lookup(string name) => _flags.GetValueOrDefault(Normalize(name));

    public bool Changed(string name) => Lookup(name)?.Changed ?? false;

    // Upstream registers cliflag.WordSepNormalizeFunc: "--proxy_mode" is "--proxy-mode".
    private static string Normalize(string name) => name.Replace('_', '-');

    /// <summary>
    /// Parses <paramref name="args"/>, applying each flag as it is met (so the last occurrence wins). Returns the
    /// non-flag arguments and the deprecation warnings of flags used.
    /// </summary>
    /// <exception cref="FlagParseException">Unknown flag, missing value, or a value the flag rejects.</exception>
    public (List<string> Positional, List<string> Warnings) Parse(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var warnings = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-')
            {
                positional.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
            }

            i = arg[1] == '-' ? ParseLong(arg, args, i, warnings) : ParseShort(arg, args, i, warnings);
        }

        return (positional, warnings);
    }

    private int ParseLong(string arg, IReadOnlyList<string> args, int index, List<string> warnings)
    {
        var body = arg[2..];
        if (body.Length == 0 || body[0] is '-' or '=')
        {
            throw new FlagParseException($"bad flag syntax: {arg}");
        }

        var equals = body.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? body : body[..equals];
        var flag = Lookup(name) ?? throw new FlagParseException($"unknown flag: --{name}");
        string value;
        if (equals >= 0)
        {
            value = body[(equals + 1)..];
        }
        else if (flag.NoOptionValue is { } implicitValue)
        {
            value = implicitValue;
        }
        else if (index + 1 < args.Count)
        {
            value = args[++index];
        }
        else
        {
            throw new FlagParseException($"flag needs an argument: {arg}");
        }

        Set(flag, value, warnings);
        return index;
    }

    // "-v4", "-v=4", "-v 4", and runs of boolean shorthands ("-hv 3").
    private int ParseShort(string arg, IReadOnlyList<string> args, int index, List<string> warnings)
    {
        var shorthands = arg[1..];
        while (shorthands.Length > 0)
        {
            var c = shorthands[0];
            if (!_shorthands.TryGetValue(c, out var flag))
            {
                throw new FlagParseException($"unknown shorthand flag: '{c}' in -{shorthands}");
            }

            string value;
            var rest = shorthands[1..];
            if (shorthands.Length > 2 && shorthands[1] == '=')
            {
                value = shorthands[2..];
                rest = string.Empty;
            }
            else if (flag.NoOptionValue is { } implicitValue)
            {
                value = implicitValue;
            }
            else if (shorthands.Length > 1)
            {
                value = shorthands[1..];
                rest = string.Empty;
            }
            else if (index + 1 < args.Count)
            {
                value = args[++index];
            }
            else
            {
                throw new FlagParseException($"flag needs an argument: '{c}' in -{shorthands}");
            }

            Set(flag, value, warnings);
            shorthands = rest;
        }

        return index;
    }

    private static void Set(Flag flag, string value, List<string> warnings)
    {
        if (flag.Apply(value) is { } error)
        {
            throw new FlagParseException($"invalid argument \"{value}\" for \"{flag.DisplayName}\" flag: {error}");
        }

        flag.Changed = true;
        if (flag.Deprecated is { } message)
        {
            warnings.Add($"Flag --{flag.Name} has been deprecated, {message}");
        }
    }

    /// <summary>The flag list as pflag prints it: sorted, aligned, with types and defaults.</summary>
    public string Usage()
    {
        var lines = new List<(string Left, string Right)>();
        foreach (var flag in _flags.Values.Where(f => f.Deprecated is null).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var left = flag.Shorthand is { } s ? $"  -{s}, --{flag.Name}" : $"      --{flag.Name}";
            if (flag.TypeName.Length > 0)
            {
                left += " " + flag.TypeName;
            }

            var right = flag.Usage;
            if (!string.IsNullOrEmpty(flag.DefaultText))
            {
                right += flag.TypeName == "string"
                    ? $" (default \"{flag.DefaultText}\")"
                    : $" (default {flag.DefaultText})";
            }

            lines.Add((left, right));
        }

        var width = lines.Max(l => l.Left.Length);
        var sb = new StringBuilder();
        foreach (var (left, right) in lines)
        {
            sb.Append(left.PadRight(width)).Append("   ").Append(right).Append('\n');
        }

        return sb.ToString();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ({_flags.Count} flags)");
}
