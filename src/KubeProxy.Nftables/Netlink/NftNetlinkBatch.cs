using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Netlink;

/// <summary>
/// One nf_tables transaction for the tables of one family, written as the netlink batch nft itself would send:
/// BATCH_BEGIN, one message per command (consecutive element adds to one set share a message), BATCH_END. The kernel
/// applies all of it or none of it. It replies to every command that
/// failed (the reply names the command: <see cref="Describe"/>) and, since only the last command asks for an ACK,
/// once more at the end: one reply per batch, however large, so the receive buffer never overflows.
/// This is how partial syncs, and the Services' part of full syncs, reach the kernel without running nft, whose 1.0.6
/// release dumps every chain and set of the namespace before it applies even one element and spends more time
/// parsing a large script than the kernel spends applying it (docs/performance.md).
/// </summary>
public sealed class NftNetlinkBatch : INftTransaction, IDisposable
{
    private readonly NetlinkMessageBuilder _builder;
    private readonly IPFamily _family;
    private readonly byte _nfproto;
    private readonly string _firstTable;
    private string _table;
    /// <summary>What each command was, for errors. Built into text only for the command the kernel refuses; the rule
    /// text and element keys are kept only when <see cref="_describeDetails"/> (a full sync's batch has hundreds of
    /// thousands of them, which would double its memory).</summary>
    private readonly List<Description> _descriptions = [];
    private readonly bool _describeDetails;
    private uint _nextSetId = 1;
    private bool _finished;

    /// <param name="initialCapacity">Bytes to reserve up front. A full sync passes a generous estimate: a buffer
    /// that grows by doubling holds the old and the new copy at once, while reserved pages that are never written
    /// cost address space, not memory (buffers above 1 MB are allocated uninitialized).</param>
    /// <param name="describeDetails">Keep each rule's text and element's key for error messages (partial syncs).</param>
    public NftNetlinkBatch(IPFamily family, string table, int initialCapacity = 16 * 1024, bool describeDetails = true)
    {
        _describeDetails = describeDetails;
        _builder = new NetlinkMessageBuilder(initialCapacity);
        _family = family;
        _nfproto = family == IPFamily.IPv6 ? NftValue.NfProtoIPv6 : NftValue.NfProtoIPv4;
        _table = _firstTable = table;
        Begin(NfNetlink.BatchBegin, 0, NetlinkMessageFlags.Request, subsystem: NfNetlink.SubsystemNfTables);
        _builder.EndMessage();
    }

    /// <summary>Commands written (BATCH_BEGIN and BATCH_END not counted).</summary>
    public int Commands => _descriptions.Count;

    /// <summary>Size of the batch in bytes.</summary>
    public int Length => _builder.Length;

    public void UseTable(string table) => _table = table;

    public void AddChain(string chain)
    {
        Command(NfTablesMessage.NewChain, NetlinkMessageFlags.Create, Verb.AddChain, chain);
        _builder.PutString(NftAttr.ChainTable, _table);
        _builder.PutString(NftAttr.ChainName, chain);
        _builder.EndMessage();
    }

    public void FlushChain(string chain)
    {
        // DELRULE with a chain and no handle removes every rule of the chain: what `flush chain` sends.
        Command(NfTablesMessage.DelRule, 0, Verb.FlushChain, chain);
        _builder.PutString(NftAttr.RuleTable, _table);
        _builder.PutString(NftAttr.RuleChain, chain);
        _builder.EndMessage();
    }

    public void DeleteChain(string chain)
    {
        Command(NfTablesMessage.DelChain, 0, Verb.DeleteChain, chain);
        _builder.PutString(NftAttr.ChainTable, _table);
        _builder.PutString(NftAttr.ChainName, chain);
        _builder.EndMessage();
    }

    public void AddRule(string chain, string rule)
    {
        Command(NfTablesMessage.NewRule, NetlinkMessageFlags.Create | NetlinkMessageFlags.Append, Verb.AddRule, chain, rule);
        _builder.PutString(NftAttr.RuleTable, _table);
        _builder.PutString(NftAttr.RuleChain, chain);
        var expressions = _builder.BeginNested(NftAttr.RuleExpressions);
        var comment = NftRuleCompiler.Compile(rule, _family, new NftExpressionWriter(_builder));
        _builder.EndNested(expressions);
        if (comment is not null) _builder.PutBytes(NftAttr.RuleUserData, NftRuleCompiler.CommentUserData(comment));
        _builder.EndMessage();
    }

    public void AddAffinitySet(string name, int timeoutSeconds)
    {
        if (timeoutSeconds <= 0) throw new NftUnsupportedException($"affinity set {name} without a timeout");
        Command(NfTablesMessage.NewSet, NetlinkMessageFlags.Create, Verb.AddSet, name);
        _builder.PutString(NftAttr.SetTable, _table);
        _builder.PutString(NftAttr.SetName, name);
        _builder.PutU32BigEndian(NftAttr.SetFlags, NftValue.SetTimeout | NftValue.SetEval);
        _builder.PutU32BigEndian(NftAttr.SetKeyType, _family == IPFamily.IPv6 ? NftValue.TypeIPv6Addr : NftValue.TypeIPv4Addr);
        _builder.PutU32BigEndian(NftAttr.SetKeyLen, _family == IPFamily.IPv6 ? 16u : 4u);
        _builder.PutU32BigEndian(NftAttr.SetId, _nextSetId++);
        _builder.PutU64BigEndian(NftAttr.SetTimeout, (ulong)timeoutSeconds * 1000);
        _builder.PutBytes(NftAttr.SetUserData, NftElementCodec.SetKeyByteOrderUserData());
        _builder.EndMessage();
    }

    public void DeleteSet(string name)
    {
        Command(NfTablesMessage.DelSet, 0, Verb.DeleteSet, name);
        _builder.PutString(NftAttr.SetTable, _table);
        _builder.PutString(NftAttr.SetName, name);
        _builder.EndMessage();
    }

    /// <summary>Consecutive elements of one set share a message (up to <see cref="MaxElementListBytes"/>), as nft
    /// sends them: the kernel looks the set up by name once per message, walking the table's list of sets, and at
    /// 10,000 x 10 one message per element made that lookup a fifth of a full sync.</summary>
    public void AddElement(MapElement element)
    {
        if (_openElements is not { } open || open.Table != _table || open.Map != element.Map || _builder.Length - open.ListStart > MaxElementListBytes)
        {
            Command(NfTablesMessage.NewSetElem, NetlinkMessageFlags.Create, Verb.AddElement, element.Map, element.Key);
            _builder.PutString(NftAttr.SetElemListTable, _table);
            _builder.PutString(NftAttr.SetElemListSet, element.Map);
            var list = _builder.BeginNested(NftAttr.SetElemListElements);
            _openElements = (_table, element.Map, list, list);
        }
        else
        {
            ThrowIfAbandoned();
            _descriptions[^1] = _descriptions[^1] with { More = _descriptions[^1].More + 1 };
        }
        WriteElement(_builder, element);
    }

    /// <summary>Encodes <paramref name="element"/> of a set in <paramref name="table"/> now and writes it with
    /// <see cref="WriteDeferredElements"/>: a full sync's elements must follow all its rules (see
    /// NftablesDataPlane.WriteServices), and held as bytes (about 40 per element) rather than as rendered strings they
    /// do not outlive their Service's render (at 30k x 4, about 350,000 elements kept to the end of the sync made the
    /// bench's peak 386 MiB instead of 338).</summary>
    public void DeferElement(string table, MapElement element)
    {
        if (_finished) throw new InvalidOperationException("the batch is finished");
        ThrowIfAbandoned();
        _deferred ??= [];
        if (!_deferred.TryGetValue((table, element.Map), out var builder))
        {
            builder = new NetlinkMessageBuilder(4096, pooled: false);
            // A message header the spool never sends: the builder writes attributes only inside a message.
            builder.BeginMessage(0, NetlinkMessageFlags.Request);
            _deferred.Add((table, element.Map), builder);
        }
        WriteElement(builder, element);
    }

    /// <summary>One NFTA_LIST_ELEM (key, value, comment) into <paramref name="builder"/>; an element that fails to
    /// encode abandons the batch (it is half written).</summary>
    private void WriteElement(NetlinkMessageBuilder builder, MapElement element)
    {
        try
        {
            var item = builder.BeginNested(NftAttr.ListElem);
            NftElementCodec.PutKey(builder, element.Map, element.Key, _family);
            NftElementCodec.PutValue(builder, element.Value, element.Key, _family);
            if (element.Comment is not null) builder.PutBytes(NftAttr.SetElemUserData, NftRuleCompiler.CommentUserData(element.Comment));
            builder.EndNested(item);
        }
        catch
        {
            _abandoned = true;
            throw;
        }
    }

    /// <summary>Writes the deferred elements: by table, then set (ordinal), each set's in the order deferred, in
    /// messages of up to <see cref="MaxElementListBytes"/> of elements. The current table is the same afterwards.</summary>
    public void WriteDeferredElements()
    {
        if (_deferred is null) return;
        ThrowIfAbandoned();
        var current = _table;
        foreach (var ((table, map), spool) in _deferred.OrderBy(d => d.Key.Table, StringComparer.Ordinal).ThenBy(d => d.Key.Map, StringComparer.Ordinal))
        {
            _table = table;
            var bytes = spool.AllWritten[NetlinkLayout.MessageHeaderSize..];
            var at = 0;
            while (at < bytes.Length)
            {
                // Whole elements (each a nested attribute: its length, then its contents), split where AddElement
                // splits: a new message once the list, with its header, is longer than MaxElementListBytes.
                var start = at;
                var count = 0;
                while (at < bytes.Length)
                {
                    var length = NetlinkLayout.Align(BitConverter.ToUInt16(bytes[at..]));
                    if (count > 0 && NetlinkLayout.AttributeHeaderSize + at - start > MaxElementListBytes) break;
                    at += length;
                    count++;
                }
                Command(NfTablesMessage.NewSetElem, NetlinkMessageFlags.Create, Verb.AddElement, map);
                _descriptions[^1] = _descriptions[^1] with { More = count - 1 };
                _builder.PutString(NftAttr.SetElemListTable, table);
                _builder.PutString(NftAttr.SetElemListSet, map);
                var list = _builder.BeginNested(NftAttr.SetElemListElements);
                _builder.PutEncoded(bytes[start..at]);
                _builder.EndNested(list);
                _builder.EndMessage();
            }
            spool.Dispose();
        }
        _deferred = null;
        _table = current;
    }

    /// <summary>Elements encoded by <see cref="DeferElement"/>, by table and set, not yet in the batch.</summary>
    private Dictionary<(string Table, string Map), NetlinkMessageBuilder>? _deferred;

    /// <summary>A nested attribute's length is 16 bits: the element list of one message stays well below.</summary>
    private const int MaxElementListBytes = 60_000;

    /// <summary>The element message still open for more elements of the same set (see AddElement).</summary>
    private (string Table, string Map, int List, int ListStart)? _openElements;

    private bool _abandoned;

    private void CloseElements()
    {
        if (_openElements is not { } open) return;
        _openElements = null;
        _builder.EndNested(open.List);
        _builder.EndMessage();
    }

    public void DeleteElement(string map, string key)
    {
        Command(NfTablesMessage.DelSetElem, 0, Verb.DeleteElement, map, key);
        _builder.PutString(NftAttr.SetElemListTable, _table);
        _builder.PutString(NftAttr.SetElemListSet, map);
        var list = _builder.BeginNested(NftAttr.SetElemListElements);
        var item = _builder.BeginNested(NftAttr.ListElem);
        NftElementCodec.PutKey(_builder, map, key, _family);
        _builder.EndNested(item);
        _builder.EndNested(list);
        _builder.EndMessage();
    }

    public void FlushSet(string name, bool isMap)
    {
        // DELSETELEM with a set and no element list removes every element: what `flush set` / `flush map` sends.
        Command(NfTablesMessage.DelSetElem, 0, isMap ? Verb.FlushMap : Verb.FlushSet, name);
        _builder.PutString(NftAttr.SetElemListTable, _table);
        _builder.PutString(NftAttr.SetElemListSet, name);
        _builder.EndMessage();
    }

    public void RecreateSet(string name, bool isMap, string text, byte[]? kernelDefinition)
    {
        if (kernelDefinition is not { } definition)
        {
            FlushSet(name, isMap);
            return;
        }
        DeleteSet(name);
        Command(NfTablesMessage.NewSet, NetlinkMessageFlags.Create, Verb.AddSet, name);
        _builder.PutString(NftAttr.SetTable, _table);
        foreach (var a in new NetlinkAttributeReader(definition))
        {
            // What defines the set (name, flags, key and data types, policy, size, timeouts, nft's userdata); not
            // where it is, which instance it was, or what only a dump reports (backend, element count).
            if (a.Type is not (NftAttr.SetName or NftAttr.SetFlags or NftAttr.SetKeyType or NftAttr.SetKeyLen or NftAttr.SetDataType
                or NftAttr.SetDataLen or NftAttr.SetPolicy or NftAttr.SetDesc or NftAttr.SetTimeout or NftAttr.SetGcInterval or NftAttr.SetUserData)) continue;
            if (a.Type == NftAttr.SetDesc && a.Payload.Length == 0) continue;
            if (a.Type == NftAttr.SetName && a.GetString() != name) throw new NftUnsupportedException($"a definition of set {a.GetString()} for {name}");
            _builder.PutBytes(a.RawType, a.Payload);
        }
        _builder.PutU32BigEndian(NftAttr.SetId, _nextSetId++);
        _builder.EndMessage();
    }

    public void DeleteTable()
    {
        Command(NfTablesMessage.DelTable, 0, Verb.DeleteTable, "");
        _builder.PutString(NftAttr.TableName, _table);
        _builder.EndMessage();
    }

    /// <summary>Closes the batch (BATCH_END) and returns the builder to send. Call once.</summary>
    internal NetlinkMessageBuilder Finish()
    {
        if (!_finished)
        {
            if (Commands == 0) throw new InvalidOperationException("an empty batch is not sent");
            if (_deferred is not null) throw new InvalidOperationException("deferred elements were not written");
            ThrowIfAbandoned();
            CloseElements();
            _builder.AddFlagsToLastMessage(NetlinkMessageFlags.Ack);
            Begin(NfNetlink.BatchEnd, 0, NetlinkMessageFlags.Request, subsystem: NfNetlink.SubsystemNfTables);
            _builder.EndMessage();
            _finished = true;
        }
        return _builder;
    }

    /// <summary>What the command at <paramref name="messageIndex"/> (counting BATCH_BEGIN as 0) was, for errors.</summary>
    public string Describe(int messageIndex) =>
        messageIndex >= 1 && messageIndex <= _descriptions.Count ? _descriptions[messageIndex - 1].ToString(_firstTable) : $"batch message {messageIndex}";

    public void Dispose()
    {
        _builder.Dispose();
        if (_deferred is not null)
        {
            foreach (var spool in _deferred.Values) spool.Dispose();
            _deferred = null;
        }
    }

    private void Command(NfTablesMessage message, NetlinkMessageFlags flags, Verb verb, string name, string? detail = null)
    {
        if (_finished) throw new InvalidOperationException("the batch is finished");
        ThrowIfAbandoned();
        CloseElements();
        Begin(NfNetlink.MessageType(message), _nfproto, NetlinkMessageFlags.Request | flags, subsystem: 0);
        _descriptions.Add(new Description(verb, _table, name, _describeDetails ? detail : null));
    }

    /// <summary>A command that threw (NftUnsupportedException) left its message open: the batch is then abandoned,
    /// neither extended nor sent.</summary>
    private void ThrowIfAbandoned()
    {
        if (_abandoned || (_builder.InMessage && _openElements is null)) throw new InvalidOperationException("an earlier command of this batch failed to encode");
    }

    private void Begin(ushort type, byte family, NetlinkMessageFlags flags, ushort subsystem)
    {
        _builder.BeginMessage(type, flags);
        // struct nfgenmsg: family, version (NFNETLINK_V0), res_id (big-endian; the subsystem on BATCH_BEGIN/END).
        Span<byte> header = [family, 0, (byte)(subsystem >> 8), (byte)subsystem];
        _builder.PutHeader(header);
    }

    private enum Verb : byte
    {
        AddChain,
        FlushChain,
        DeleteChain,
        AddRule,
        AddSet,
        DeleteSet,
        AddElement,
        DeleteElement,
        FlushSet,
        FlushMap,
        DeleteTable,
    }

    private readonly record struct Description(Verb Verb, string Table, string Name, string? Detail, int More = 0)
    {
        public string ToString(string firstTable)
        {
            var text = Verb switch
            {
                Verb.AddChain => $"add chain {Name}",
                Verb.FlushChain => $"flush chain {Name}",
                Verb.DeleteChain => $"delete chain {Name}",
                Verb.AddRule => Detail is null ? $"add rule {Name}" : $"add rule {Name} {Detail}",
                Verb.AddSet => $"add set {Name}",
                Verb.DeleteSet => $"delete set {Name}",
                Verb.AddElement => Detail is null ? $"add element {Name}" : $"add element {Name} {{ {Detail} }}",
                Verb.DeleteElement => Detail is null ? $"delete element {Name}" : $"delete element {Name} {{ {Detail} }}",
                Verb.FlushSet => $"flush set {Name}",
                Verb.FlushMap => $"flush map {Name}",
                _ => "delete table",
            };
            if (More > 0) text = $"one of {More + 1} elements, the first: {text}";
            // Name the table in errors only when the batch spans several.
            return Table == firstTable ? text : $"{text} (table {Table})";
        }
    }
}
