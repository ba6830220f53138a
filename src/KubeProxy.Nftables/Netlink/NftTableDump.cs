using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;
using KubeProxy.Nftables.Execution;

namespace KubeProxy.Nftables.Netlink;

/// <summary>
/// Lists tables' chains and sets with two nf_tables dumps (GETCHAIN, GETSET) of one family. This is what a full
/// sync needs to know of the kernel, and asking for it directly matters: `nft list table` in nft 1.0.6 first dumps
/// every chain and set of every table in the namespace, so listing the IPv6 table paid for the IPv4 one too (20 s
/// at 5,000 Services × 50 endpoints). Here the kernel walks only the tables of the requested family (all our Service
/// tables in the same two dumps).
/// </summary>
internal static class NftTableDump
{
    /// <summary>A dump request of <paramref name="message"/> (GETCHAIN or GETSET) for every table of one family; the
    /// caller keeps the replies of the tables it wants by each reply's table attribute.</summary>
    public static void WriteRequest(NetlinkMessageBuilder builder, NfTablesMessage message, IPFamily family)
    {
        builder.BeginMessage(NfNetlink.MessageType(message), NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump);
        Span<byte> header = [family == IPFamily.IPv6 ? NftValue.NfProtoIPv6 : NftValue.NfProtoIPv4, 0, 0, 0];
        builder.PutHeader(header);
        builder.EndMessage();
    }

    /// <summary>A GETRULE dump request for the rules of one chain (the kernel filters by table and chain).</summary>
    public static void WriteRuleRequest(NetlinkMessageBuilder builder, IPFamily family, string table, string chain)
    {
        builder.BeginMessage(NfNetlink.MessageType(NfTablesMessage.GetRule), NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump);
        Span<byte> header = [family == IPFamily.IPv6 ? NftValue.NfProtoIPv6 : NftValue.NfProtoIPv4, 0, 0, 0];
        builder.PutHeader(header);
        builder.PutString(NftAttr.RuleTable, table);
        builder.PutString(NftAttr.RuleChain, chain);
        builder.EndMessage();
    }

    /// <summary>Folds what a GETRULE reply says a rule does (its expressions and its userdata, the comment; not its
    /// handle or position) into <paramref name="hash"/> (<see cref="State.Hash"/>).</summary>
    public static ulong FoldRule(ulong hash, in NetlinkMessage reply)
    {
        foreach (var a in reply.Attributes(4))
        {
            if (a.Type is not (NftAttr.RuleExpressions or NftAttr.RuleUserData)) continue;
            hash = State.Hash.Add(State.Hash.Add(hash, (byte)a.Type), a.Payload);
        }
        return State.Hash.Add(hash, 0xff);
    }

    /// <summary>The table and name of the chain a GETCHAIN reply describes.</summary>
    public static (string Table, string Name)? ChainOf(in NetlinkMessage reply)
    {
        string? chainTable = null, name = null;
        foreach (var a in reply.Attributes(4))
        {
            if (a.Type == NftAttr.ChainTable) chainTable = a.GetString();
            else if (a.Type == NftAttr.ChainName) name = a.GetString();
        }
        return chainTable is not null && name is not null ? (chainTable, name) : null;
    }

    /// <summary>The table and named set a GETSET reply describes (maps included, as in nft's listing); a set without
    /// a timeout has 0.</summary>
    public static (string Table, SetInfo Set)? SetOf(in NetlinkMessage reply)
    {
        string? setTable = null, name = null;
        ulong timeoutMilliseconds = 0;
        uint flags = 0;
        foreach (var a in reply.Attributes(4))
        {
            if (a.Type == NftAttr.SetTable) setTable = a.GetString();
            else if (a.Type == NftAttr.SetName) name = a.GetString();
            else if (a.Type == NftAttr.SetTimeout) timeoutMilliseconds = a.GetU64BigEndian();
            else if (a.Type == NftAttr.SetFlags) flags = a.GetU32BigEndian();
        }
        // Anonymous sets (a rule's inline `{ … }`, named __set0 and so on) belong to their rule: nft does not list
        // them, and they go with the rule.
        if ((flags & NftValue.SetAnonymous) != 0) return null;
        if (setTable is null || name is null) return null;
        // The endpoint-targets maps are recreated by full syncs (NftNetlinkBatch.RecreateSet) exactly as nft made them.
        var definition = Rendering.ServiceRenderer.IsEndpointTargetsMap(name) ? reply.Payload[4..].ToArray() : null;
        return (setTable, new SetInfo(name, (int)(timeoutMilliseconds / 1000), definition));
    }
}
