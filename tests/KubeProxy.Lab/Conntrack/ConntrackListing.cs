using System.Globalization;
using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.Conntrack;

/// <summary>
/// One line of <c>conntrack -L -o id</c>, e.g. <c>tcp 6 431999 ESTABLISHED src=A dst=B sport=1 dport=2 src=B' dst=A
/// sport=2' dport=1 [ASSURED] mark=0 use=1 id=123</c>: the original and reply tuples, the state (TCP) and the
/// kernel's id of the entry, which stays the same for the entry's whole life (a deleted and re-created flow gets a new one).
/// Read with the conntrack tool, independently of kube-proxy's own ctnetlink code.
/// </summary>
public sealed record ConntrackListing(
    string Protocol,
    string? State,
    IPEndPoint OriginalSource,
    IPEndPoint OriginalDestination,
    IPEndPoint ReplySource,
    IPEndPoint ReplyDestination,
    string Id,
    string Line)
{
    /// <summary>Lists <paramref name="protocol"/> entries of <paramref name="family"/> in <paramref name="ns"/>'s table.</summary>
    public static async Task<IReadOnlyList<ConntrackListing>> ListAsync(NetworkNamespace ns, Protocol protocol, IPFamily family)
    {
        var result = await ns.ExecAsync("conntrack", "-L", "-p", protocol.Lower(), "-f", family == IPFamily.IPv6 ? "ipv6" : "ipv4", "-o", "id");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => Parse(line) ?? throw new FormatException($"cannot read conntrack line '{line}'"))
            .ToList();
    }

    /// <summary>Parses one listing line; null when it is not one.</summary>
    public static ConntrackListing? Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3) return null;
        // "tcp 6 431999 ESTABLISHED src=...": protocol name, number, timeout, then the state for TCP (UDP has none).
        var state = fields.Length > 3 && !fields[3].Contains('=') && !fields[3].StartsWith('[') ? fields[3] : null;
        string? id = null;
        var values = new Dictionary<string, List<string>>();
        foreach (var field in fields.Skip(3))
        {
            var eq = field.IndexOf('=');
            if (eq < 0) continue;
            var (key, value) = (field[..eq], field[(eq + 1)..]);
            if (key == "id") id = value;
            else (values.TryGetValue(key, out var list) ? list : values[key] = []).Add(value);
        }

        IPEndPoint? Endpoint(int which, string address, string port) =>
            values.TryGetValue(address, out var a) && values.TryGetValue(port, out var p) && a.Count > which && p.Count > which
            && IPAddress.TryParse(a[which], out var ip) && int.TryParse(p[which], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? new IPEndPoint(ip, n)
                : null;

        return Endpoint(0, "src", "sport") is { } os && Endpoint(0, "dst", "dport") is { } od
            && Endpoint(1, "src", "sport") is { } rs && Endpoint(1, "dst", "dport") is { } rd && id is not null
            ? new ConntrackListing(fields[0], state, os, od, rs, rd, id, line)
            : null;
    }

    public override string ToString() => Line;
}
