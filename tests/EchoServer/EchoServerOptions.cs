namespace EchoServer;

/// <summary>Command line of <c>echo-server --name web-1 --listen tcp:8080 --listen udp:5353</c>.</summary>
internal sealed record EchoServerOptions(string Name, IReadOnlyList<ListenSpec> Listens)
{
    public const string Usage =
        "usage: echo-server --name NAME --listen tcp:PORT|udp:PORT|sctp:PORT [--listen ...]";

    public static EchoServerOptions Parse(IReadOnlyList<string> args)
    {
        string? name = null;
        var listens = new List<ListenSpec>();
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, value) = SplitFlag(args, ref i);
            switch (flag)
            {
                case "--name": name = value; break;
                case "--listen": listens.Add(ListenSpec.Parse(value)); break;
                default: throw new FormatException($"unknown argument '{args[i]}'");
            }
        }

        if (string.IsNullOrWhiteSpace(name) || name.Contains(' '))
        {
            throw new FormatException("--name is required and must not contain spaces");
        }

        if (listens.Count == 0)
        {
            throw new FormatException("at least one --listen is required");
        }

        return new EchoServerOptions(name, listens);
    }

    // Accepts both "--flag value" and "--flag=value".
    private static (string Flag, string Value) SplitFlag(IReadOnlyList<string> args, ref int i)
    {
        var arg = args[i];
        var eq = arg.IndexOf('=');
        if (arg.StartsWith("--") && eq > 0)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        if (i + 1 >= args.Count)
        {
            throw new FormatException($"'{arg}' needs a value");
        }

        i++;
        return (arg, args[i]);
    }
}
