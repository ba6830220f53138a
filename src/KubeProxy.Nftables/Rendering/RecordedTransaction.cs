namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// An incremental transaction kept as a list of commands, so that it can be encoded twice: as a netlink batch first
/// and, if that encoder does not know a rule, as nft text. Partial syncs are small (a few commands per changed
/// Service), so keeping them costs nothing that matters.
/// </summary>
public sealed class RecordedTransaction : INftTransaction
{
    private readonly List<Command> _commands = [];

    public int Count => _commands.Count;

    public bool IsEmpty => _commands.Count == 0;

    public void UseTable(string table) => _commands.Add(new(Verb.UseTable, table));

    public void AddChain(string chain) => _commands.Add(new(Verb.AddChain, chain));

    public void FlushChain(string chain) => _commands.Add(new(Verb.FlushChain, chain));

    public void DeleteChain(string chain) => _commands.Add(new(Verb.DeleteChain, chain));

    public void AddRule(string chain, string rule) => _commands.Add(new(Verb.AddRule, chain, rule));

    public void AddAffinitySet(string name, int timeoutSeconds) => _commands.Add(new(Verb.AddAffinitySet, name, Timeout: timeoutSeconds));

    public void DeleteSet(string name) => _commands.Add(new(Verb.DeleteSet, name));

    public void AddElement(MapElement element) => _commands.Add(new(Verb.AddElement, element.Map, Element: element));

    public void DeleteElement(string map, string key) => _commands.Add(new(Verb.DeleteElement, map, key));

    public void FlushSet(string name, bool isMap) => _commands.Add(new(isMap ? Verb.FlushMap : Verb.FlushSet, name));

    public void DeleteTable() => _commands.Add(new(Verb.DeleteTable, ""));

    public void RecreateSet(string name, bool isMap, string text, byte[]? kernelDefinition) =>
        _commands.Add(new(isMap ? Verb.RecreateMap : Verb.RecreateSet, name, text, Definition: kernelDefinition));

    /// <summary>Writes every command, in order, into <paramref name="target"/>.</summary>
    public void ReplayInto(INftTransaction target)
    {
        foreach (var c in _commands)
        {
            switch (c.Verb)
            {
                case Verb.UseTable: target.UseTable(c.Name); break;
                case Verb.AddChain: target.AddChain(c.Name); break;
                case Verb.FlushChain: target.FlushChain(c.Name); break;
                case Verb.DeleteChain: target.DeleteChain(c.Name); break;
                case Verb.AddRule: target.AddRule(c.Name, c.Text!); break;
                case Verb.AddAffinitySet: target.AddAffinitySet(c.Name, c.Timeout); break;
                case Verb.DeleteSet: target.DeleteSet(c.Name); break;
                case Verb.AddElement: target.AddElement(c.Element); break;
                case Verb.DeleteElement: target.DeleteElement(c.Name, c.Text!); break;
                case Verb.FlushSet: target.FlushSet(c.Name, isMap: false); break;
                case Verb.FlushMap: target.FlushSet(c.Name, isMap: true); break;
                case Verb.DeleteTable: target.DeleteTable(); break;
                case Verb.RecreateSet: target.RecreateSet(c.Name, isMap: false, c.Text!, c.Definition); break;
                case Verb.RecreateMap: target.RecreateSet(c.Name, isMap: true, c.Text!, c.Definition); break;
                default: throw new InvalidOperationException($"unknown command {c.Verb}");
            }
        }
    }

    private enum Verb
    {
        UseTable,
        AddChain,
        FlushChain,
        DeleteChain,
        AddRule,
        AddAffinitySet,
        DeleteSet,
        AddElement,
        DeleteElement,
        FlushSet,
        FlushMap,
        DeleteTable,
        RecreateSet,
        RecreateMap,
    }

    private readonly record struct Command(Verb Verb, string Name, string? Text = null, int Timeout = 0, MapElement Element = default,
        byte[]? Definition = null);
}
