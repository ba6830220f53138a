using System.Text;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Writes one nft transaction (an <c>nft -f</c> script) for one table. Everything goes into one buffer that is
/// applied as a single batch, so the kernel sees all of it or none of it.
/// </summary>
public sealed class NftScript
{
    private readonly StringBuilder _text = new();
    private readonly string _prefix;

    public NftScript(NftFamily family, string table)
    {
        Family = family;
        Table = table;
        _prefix = $"{family.Table} {table}";
    }

    public NftFamily Family { get; }

    public string Table { get; }

    /// <summary>Number of commands written.</summary>
    public int Commands { get; private set; }

    public bool IsEmpty => Commands == 0;

    public int Length => _text.Length;

    public NftScript Line(string command)
    {
        _text.Append(command).Append('\n');
        Commands++;
        return this;
    }

    /// <summary>Appends another script's commands (same table).</summary>
    public NftScript Append(NftScript other)
    {
        _text.Append(other._text);
        Commands += other.Commands;
        return this;
    }

    public NftScript AddTable(string comment) => Line($"add table {_prefix} {{ comment \"{comment}\" ; }}");

    public NftScript FlushTable() => Line($"flush table {_prefix}");

    public NftScript AddChain(string chain) => Line($"add chain {_prefix} {chain}");

    public NftScript AddBaseChain(string chain, string type, string hook, int priority) =>
        Line($"add chain {_prefix} {chain} {{ type {type} hook {hook} priority {priority} ; }}");

    public NftScript FlushChain(string chain) => Line($"flush chain {_prefix} {chain}");

    public NftScript DeleteChain(string chain) => Line($"delete chain {_prefix} {chain}");

    public NftScript AddRule(string chain, string rule) => Line($"add rule {_prefix} {chain} {rule}");

    public NftScript AddSetOrMap(string name, string definition)
    {
        // definition starts with "set {" or "map {"
        var space = definition.IndexOf(' ', StringComparison.Ordinal);
        return Line($"add {definition[..space]} {_prefix} {name} {definition[(space + 1)..]}");
    }

    public NftScript Flush(string kind, string name) => Line($"flush {kind} {_prefix} {name}");

    public NftScript AddAffinitySet(string name, int timeoutSeconds) =>
        Line($"add set {_prefix} {name} {{ type {Family.AddrType} ; flags dynamic,timeout ; timeout {timeoutSeconds}s ; }}");

    public NftScript DeleteSet(string name) => Line($"delete set {_prefix} {name}");

    public NftScript AddElement(MapElement e)
    {
        var comment = e.Comment is null ? "" : $" comment \"{e.Comment}\"";
        return e.Value.Length == 0
            ? Line($"add element {_prefix} {e.Map} {{ {e.Key}{comment} }}")
            : Line($"add element {_prefix} {e.Map} {{ {e.Key}{comment} : {e.Value} }}");
    }

    public NftScript DeleteElement(string map, string key) => Line($"delete element {_prefix} {map} {{ {key} }}");

    public NftScript DeleteTable() => Line($"delete table {_prefix}");

    public override string ToString() => _text.ToString();
}
