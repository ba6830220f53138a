using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Netlink;

/// <summary>
/// One nf_tables transaction for the tables of one family, written as the netlink batch nft itself would send: BATCH_BEGIN, one
/// message per command, BATCH_END. The kernel applies all of it or none of it. It replies to every command that
/// failed (the reply names the command: <see cref="Describe"/>) and, since only the last command asks for an ACK,
/// once more at the end: one reply per batch, however large, so the receive buffer never overflows.
/// This is how incremental syncs reach the kernel without running nft, whose 1.0.6 release dumps every chain and
/// set of the namespace before it applies even one element (docs/performance.md).
/// </summary>
public sealed class NftNetlinkBatch : INftTransaction, IDisposable
{
    private readonly NetlinkMessageBuilder _builder = new(16 * 1024);
    private readonly IPFamily _family;
    private readonly byte _nfproto;
    private readonly string _firstTable;
    private string _table;
    private readonly List<string> _descriptions = [];
    private uint _nextSetId = 1;
    private bool _finished;

    public NftNetlinkBatch(IPFamily family, string table)
    {
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
        Command(NfTablesMessage.NewChain, NetlinkMessageFlags.Create, $"add chain {chain}");
        _builder.PutString(NftAttr.ChainTable, _table);
        _builder.PutString(NftAttr.ChainName, chain);
        _builder.EndMessage();
    }

    public void FlushChain(string chain)
    {
        // DELRULE with a chain and no handle removes every rule of the chain: what `flush chain` sends.
        Command(NfTablesMessage.DelRule, 0, $"flush chain {chain}");
        _builder.PutString(NftAttr.RuleTable, _table);
        _builder.PutString(NftAttr.RuleChain, chain);
        _builder.EndMessage();
    }

    public void DeleteChain(string chain)
    {
        Command(NfTablesMessage.DelChain, 0, $"delete chain {chain}");
        _builder.PutString(NftAttr.ChainTable, _table);
        _builder.PutString(NftAttr.ChainName, chain);
        _builder.EndMessage();
    }

    public void AddRule(string chain, string rule)
    {
        Command(NfTablesMessage.NewRule, NetlinkMessageFlags.Create | NetlinkMessageFlags.Append, $"add rule {chain} {rule}");
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
        Command(NfTablesMessage.NewSet, NetlinkMessageFlags.Create, $"add set {name}");
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
        Command(NfTablesMessage.DelSet, 0, $"delete set {name}");
        _builder.PutString(NftAttr.SetTable, _table);
        _builder.PutString(NftAttr.SetName, name);
        _builder.EndMessage();
    }

    public void AddElement(MapElement element)
    {
        Command(NfTablesMessage.NewSetElem, NetlinkMessageFlags.Create, $"add element {element.Map} {{ {element.Key} }}");
        _builder.PutString(NftAttr.SetElemListTable, _table);
        _builder.PutString(NftAttr.SetElemListSet, element.Map);
        var list = _builder.BeginNested(NftAttr.SetElemListElements);
        var item = _builder.BeginNested(NftAttr.ListElem);
        NftElementCodec.PutKey(_builder, element.Key, _family);
        NftElementCodec.PutValue(_builder, element.Value, element.Key);
        if (element.Comment is not null) _builder.PutBytes(NftAttr.SetElemUserData, NftRuleCompiler.CommentUserData(element.Comment));
        _builder.EndNested(item);
        _builder.EndNested(list);
        _builder.EndMessage();
    }

    public void DeleteElement(string map, string key)
    {
        Command(NfTablesMessage.DelSetElem, 0, $"delete element {map} {{ {key} }}");
        _builder.PutString(NftAttr.SetElemListTable, _table);
        _builder.PutString(NftAttr.SetElemListSet, map);
        var list = _builder.BeginNested(NftAttr.SetElemListElements);
        var item = _builder.BeginNested(NftAttr.ListElem);
        NftElementCodec.PutKey(_builder, key, _family);
        _builder.EndNested(item);
        _builder.EndNested(list);
        _builder.EndMessage();
    }

    public void FlushSet(string name, bool isMap)
    {
        // DELSETELEM with a set and no element list removes every element: what `flush set` / `flush map` sends.
        Command(NfTablesMessage.DelSetElem, 0, $"flush {(isMap ? "map" : "set")} {name}");
        _builder.PutString(NftAttr.SetElemListTable, _table);
        _builder.PutString(NftAttr.SetElemListSet, name);
        _builder.EndMessage();
    }

    public void DeleteTable()
    {
        Command(NfTablesMessage.DelTable, 0, "delete table");
        _builder.PutString(NftAttr.TableName, _table);
        _builder.EndMessage();
    }

    /// <summary>Closes the batch (BATCH_END) and returns the builder to send. Call once.</summary>
    internal NetlinkMessageBuilder Finish()
    {
        if (!_finished)
        {
            if (Commands == 0) throw new InvalidOperationException("an empty batch is not sent");
            ThrowIfAbandoned();
            _builder.AddFlagsToLastMessage(NetlinkMessageFlags.Ack);
            Begin(NfNetlink.BatchEnd, 0, NetlinkMessageFlags.Request, subsystem: NfNetlink.SubsystemNfTables);
            _builder.EndMessage();
            _finished = true;
        }
        return _builder;
    }

    /// <summary>What the command at <paramref name="messageIndex"/> (counting BATCH_BEGIN as 0) was, for errors.</summary>
    public string Describe(int messageIndex) =>
        messageIndex >= 1 && messageIndex <= _descriptions.Count ? _descriptions[messageIndex - 1] : $"batch message {messageIndex}";

    public void Dispose() => _builder.Dispose();

    private void Command(NfTablesMessage message, NetlinkMessageFlags flags, string description)
    {
        if (_finished) throw new InvalidOperationException("the batch is finished");
        ThrowIfAbandoned();
        Begin(NfNetlink.MessageType(message), _nfproto, NetlinkMessageFlags.Request | flags, subsystem: 0);
        // Name the table in errors only when the batch spans several.
        _descriptions.Add(_table == _firstTable ? description : $"{description} (table {_table})");
    }

    /// <summary>A command that threw (NftUnsupportedException) left its message open: the batch is then abandoned,
    /// neither extended nor sent.</summary>
    private void ThrowIfAbandoned()
    {
        if (_builder.InMessage) throw new InvalidOperationException("an earlier command of this batch failed to encode");
    }

    private void Begin(ushort type, byte family, NetlinkMessageFlags flags, ushort subsystem)
    {
        _builder.BeginMessage(type, flags);
        // struct nfgenmsg: family, version (NFNETLINK_V0), res_id (big-endian; the subsystem on BATCH_BEGIN/END).
        Span<byte> header = [family, 0, (byte)(subsystem >> 8), (byte)subsystem];
        _builder.PutHeader(header);
    }
}
