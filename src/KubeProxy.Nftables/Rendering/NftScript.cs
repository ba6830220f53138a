namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Writes one nft transaction (an <c>nft -f</c> script) for the tables of one family. Everything goes into one buffer that is
/// applied as a single batch, so the kernel sees all of it or none of it. Commands are appended piece by piece
/// (no string per line) into a UTF-8 <see cref="ScriptBuffer"/>: a full sync at 10,000 Services × 10 endpoints is some
/// 400,000 commands and 65 MB of text, and the runner streams the bytes to nft without ever making them one string
/// (<see cref="WriteTo"/>).
/// </summary>
public sealed class NftScript : INftTransaction
{
    private readonly ScriptBuffer _text = new();
    private readonly Dictionary<string, string> _prefixes = new(StringComparer.Ordinal);
    private string _prefix;

    public NftScript(NftFamily family, string table)
    {
        Family = family;
        Table = table;
        _prefix = $"{family.Table} {table} ";
        _prefixes[table] = _prefix;
    }

    public NftFamily Family { get; }

    /// <summary>The table the following commands address.</summary>
    public string Table { get; private set; }

    /// <summary>Addresses the following commands to <paramref name="table"/> (of the same family).</summary>
    public NftScript UseTable(string table)
    {
        if (table == Table) return this;
        if (!_prefixes.TryGetValue(table, out var prefix)) _prefixes[table] = prefix = $"{Family.Table} {table} ";
        _prefix = prefix;
        Table = table;
        return this;
    }

    /// <summary>Number of commands written.</summary>
    public int Commands { get; private set; }

    public bool IsEmpty => Commands == 0;

    /// <summary>Size in bytes (UTF-8).</summary>
    public long Length => _text.Length;

    public NftScript Line(string command)
    {
        _text.Append(command).Append('\n');
        Commands++;
        return this;
    }

    /// <summary>Appends another script's commands (each names its table). The other script's text is taken over, not copied
    /// (it is tens of megabytes in a large full sync): do not write to <paramref name="other"/> afterwards.</summary>
    public NftScript Append(NftScript other)
    {
        _text.TakeOver(other._text);
        Commands += other.Commands;
        other.Commands = 0;
        return this;
    }

    public NftScript AddTable(string comment) => Line($"add table {_prefix}{{ comment \"{comment}\" ; }}");

    public NftScript FlushTable() => Command("flush table ", "");

    public NftScript AddChain(string chain) => Command("add chain ", chain);

    public NftScript AddBaseChain(string chain, string type, string hook, int priority) =>
        Line($"add chain {_prefix}{chain} {{ type {type} hook {hook} priority {priority} ; }}");

    public NftScript FlushChain(string chain) => Command("flush chain ", chain);

    public NftScript DeleteChain(string chain) => Command("delete chain ", chain);

    public NftScript AddRule(string chain, string rule) => Command("add rule ", chain, " ", rule);

    public NftScript AddSetOrMap(string name, string definition)
    {
        // definition starts with "set {" or "map {"
        var space = definition.IndexOf(' ', StringComparison.Ordinal);
        return Line($"add {definition[..space]} {_prefix}{name} {definition[(space + 1)..]}");
    }

    public NftScript Flush(string kind, string name) => Line($"flush {kind} {_prefix}{name}");

    public NftScript AddAffinitySet(string name, int timeoutSeconds) =>
        Line($"add set {_prefix}{name} {{ type {Family.AddrType} ; flags dynamic,timeout ; timeout {timeoutSeconds}s ; }}");

    public NftScript DeleteSet(string name) => Command("delete set ", name);

    public NftScript AddElement(MapElement e)
    {
        _text.Append("add element ").Append(_prefix).Append(e.Map).Append(" { ").Append(e.Key);
        if (e.Comment is not null) _text.Append(" comment \"").Append(e.Comment).Append('"');
        if (e.Value.Length != 0) _text.Append(" : ").Append(e.Value);
        _text.Append(" }\n");
        Commands++;
        return this;
    }

    public NftScript DeleteElement(string map, string key) => Command("delete element ", map, " { ", key, " }");

    public NftScript DeleteTable() => Command("delete table ", "");

    void INftTransaction.UseTable(string table) => UseTable(table);

    void INftTransaction.AddChain(string chain) => AddChain(chain);

    void INftTransaction.FlushChain(string chain) => FlushChain(chain);

    void INftTransaction.DeleteChain(string chain) => DeleteChain(chain);

    void INftTransaction.AddRule(string chain, string rule) => AddRule(chain, rule);

    void INftTransaction.AddAffinitySet(string name, int timeoutSeconds) => AddAffinitySet(name, timeoutSeconds);

    void INftTransaction.DeleteSet(string name) => DeleteSet(name);

    void INftTransaction.AddElement(MapElement element) => AddElement(element);

    void INftTransaction.DeleteElement(string map, string key) => DeleteElement(map, key);

    void INftTransaction.FlushSet(string name, bool isMap) => Flush(isMap ? "map" : "set", name);

    void INftTransaction.RecreateSet(string name, bool isMap, string text, byte[]? kernelDefinition)
    {
        Line($"delete {(isMap ? "map" : "set")} {_prefix}{name}");
        AddSetOrMap(name, text);
    }

    void INftTransaction.DeleteTable() => DeleteTable();

    /// <summary>Writes the script's UTF-8 bytes to <paramref name="stream"/> chunk by chunk.</summary>
    public void WriteTo(Stream stream) => _text.WriteTo(stream);

    public override string ToString() => _text.ToString();

    /// <summary>"VERB FAMILY TABLE PARTS...\n" without building the line as a string first.</summary>
    private NftScript Command(string verb, string a, string b = "", string c = "", string d = "")
    {
        _text.Append(verb);
        if (a.Length == 0) _text.Append(_prefix.AsSpan(0, _prefix.Length - 1)); // table-level commands: no trailing space
        else _text.Append(_prefix).Append(a);
        _text.Append(b).Append(c).Append(d).Append('\n');
        Commands++;
        return this;
    }
}
