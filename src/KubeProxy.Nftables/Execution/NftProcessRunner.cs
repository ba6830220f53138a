using System.Text.Json;
using KubeProxy.Linux.Processes;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Execution;

/// <summary>Applies scripts with <c>nft -f -</c> (one batch, all or nothing) and lists with <c>nft -j</c>.</summary>
public sealed class NftProcessRunner : INftRunner
{
    private readonly string _command;
    private readonly string[] _prefix;

    public NftProcessRunner() : this("nft", []) { }

    /// <summary>Run nft through a wrapper, e.g. <c>ip netns exec NS nft</c> for tests in a network namespace.</summary>
    public NftProcessRunner(string command, string[] prefixArguments)
    {
        _command = command;
        _prefix = prefixArguments;
    }

    public static NftProcessRunner InNetworkNamespace(string netns) => new("ip", ["netns", "exec", netns, "nft"]);

    public void Apply(string script)
    {
        var result = ProcessRunner.Run(_command, [.. _prefix, "-f", "-"], script);
        if (!result.Succeeded)
        {
            throw new NftException($"nft -f failed (exit {result.ExitCode}): {Trim(result.StandardError)}");
        }
    }

    /// <summary>Streams the script's UTF-8 bytes into <c>nft -f -</c> chunk by chunk: at 10,000 Services × 10
    /// endpoints a full sync is ~65 MB, and a string of it would triple the peak memory.</summary>
    public void Apply(NftScript script)
    {
        ProcessResult result;
        try
        {
            result = ProcessRunner.RunWithInput(_command, [.. _prefix, "-f", "-"], stdin =>
            {
                stdin.Flush();
                script.WriteTo(stdin.BaseStream);
            }, ApplyTimeout);
        }
        catch (TimeoutException e)
        {
            throw new NftException($"nft -f did not finish within {ApplyTimeout}", e);
        }

        if (!result.Succeeded)
        {
            throw new NftException($"nft -f failed (exit {result.ExitCode}): {Trim(result.StandardError)}");
        }
    }

    /// <summary>Generous: a cold full sync of a very large cluster on a busy machine takes minutes of nft time.</summary>
    public static TimeSpan ApplyTimeout { get; } = TimeSpan.FromMinutes(15);

    public TableListing List(NftFamily family, string table)
    {
        var chains = new HashSet<string>(StringComparer.Ordinal);
        var sets = new Dictionary<string, SetInfo>(StringComparer.Ordinal);
        var result = ProcessRunner.Run(_command, [.. _prefix, "-j", "list", "table", family.Table, table]);
        if (!result.Succeeded)
        {
            if (result.StandardError.Contains("No such file or directory", StringComparison.Ordinal)) return TableListing.Empty;
            throw new NftException($"nft list table failed (exit {result.ExitCode}): {Trim(result.StandardError)}");
        }

        using var doc = JsonDocument.Parse(result.StandardOutput);
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out var chain))
            {
                chains.Add(chain.GetProperty("name").GetString()!);
            }
            else if (item.TryGetProperty("set", out var set) || item.TryGetProperty("map", out set))
            {
                var name = set.GetProperty("name").GetString()!;
                var timeout = set.TryGetProperty("timeout", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt32() : 0;
                sets[name] = new SetInfo(name, timeout);
            }
        }
        return new TableListing(chains, sets);
    }

    public IReadOnlyList<string> ListTables(NftFamily family)
    {
        var result = ProcessRunner.Run(_command, [.. _prefix, "list", "tables", family.Table]);
        if (!result.Succeeded) throw new NftException($"nft list tables failed (exit {result.ExitCode}): {Trim(result.StandardError)}");
        // One "table FAMILY NAME" line per table.
        var prefix = $"table {family.Table} ";
        return result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith(prefix, StringComparison.Ordinal))
            .Select(line => line[prefix.Length..])
            .ToList();
    }

    private static string Trim(string s) => s.Length > 4000 ? s[..4000] + "..." : s.Trim();
}
