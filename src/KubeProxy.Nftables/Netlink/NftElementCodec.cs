using System.Buffers.Binary;
using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;

namespace KubeProxy.Nftables.Netlink;

/// <summary>
/// Set and map elements of our fixed sets as the kernel stores them. A plain key (an address) is its bytes; a
/// concatenation (<c>address . protocol . port</c>, <c>protocol . port</c>) puts each field in its own 4-byte-aligned
/// slot, zero padded, as nft does: 198.19.0.1 . tcp . 80 is c6 13 00 01 | 06 00 00 00 | 00 50 00 00. The
/// endpoint-targets maps are keyed by numgen's result, a 32-bit integer in host order, and its values are
/// <c>address . port</c>.
/// </summary>
internal static class NftElementCodec
{
    public static byte[] Key(string key, IPFamily family)
    {
        var parts = key.Split(" . ");
        if (parts.Length == 1) return NftRuleCompiler.ParseAddress(key, family, key).GetAddressBytes();

        var bytes = new List<byte>(24);
        foreach (var part in parts)
        {
            byte[] field;
            if (part is "tcp" or "udp" or "sctp") field = [NftRuleCompiler.ProtocolNumber(part, key)];
            else if (char.IsAsciiDigit(part[0]) && !part.Contains('.') && !part.Contains(':')) field = NftRuleCompiler.PortBytes(NftRuleCompiler.ParsePort(part, key));
            else field = NftRuleCompiler.ParseAddress(part, family, key).GetAddressBytes();
            bytes.AddRange(field);
            while (bytes.Count % 4 != 0) bytes.Add(0);
        }
        return [.. bytes];
    }

    /// <summary>The key of an element of <paramref name="map"/>.</summary>
    public static byte[] Key(string map, string key, IPFamily family)
    {
        if (!Rendering.ServiceRenderer.IsEndpointTargetsMap(map)) return Key(key, family);
        if (!uint.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var slot))
            throw NftRuleCompiler.Unsupported(key, $"endpoint slot '{key}'");
        return BitConverter.GetBytes(slot);
    }

    /// <summary>Writes NFTA_SET_ELEM_DATA for a verdict-map value ("goto CHAIN", "jump CHAIN", "drop", "accept") or a
    /// data value (<c>address . port</c>); an empty value (a plain set) writes nothing.</summary>
    public static void PutValue(NetlinkMessageBuilder builder, string value, string context, IPFamily family)
    {
        if (value.Length == 0) return;
        if (value.Contains(" . ", StringComparison.Ordinal))
        {
            var nest = builder.BeginNested(NftAttr.SetElemData);
            builder.PutBytes(NftAttr.DataValue, Key(value, family));
            builder.EndNested(nest);
            return;
        }
        var space = value.IndexOf(' ');
        var verb = space < 0 ? value : value[..space];
        var chain = space < 0 ? null : value[(space + 1)..];
        var code = verb switch
        {
            "goto" when chain is not null => NftValue.Goto,
            "jump" when chain is not null => NftValue.Jump,
            "drop" when chain is null => NftValue.Drop,
            "accept" when chain is null => NftValue.Accept,
            _ => throw NftRuleCompiler.Unsupported(context, $"map value '{value}'"),
        };
        if (chain is not null && (chain.Length == 0 || chain.Any(c => c is ' ' or '"' or '{' or '}')))
            throw NftRuleCompiler.Unsupported(context, $"chain name '{chain}'");
        var data = builder.BeginNested(NftAttr.SetElemData);
        NftExpressionWriter.PutVerdict(builder, code, chain);
        builder.EndNested(data);
    }

    public static void PutKey(NetlinkMessageBuilder builder, string map, string key, IPFamily family)
    {
        var nest = builder.BeginNested(NftAttr.SetElemKey);
        builder.PutBytes(NftAttr.DataValue, Key(map, key, family));
        builder.EndNested(nest);
    }

    /// <summary>A set's userdata saying its key is big-endian (nft writes this for address keys).</summary>
    public static byte[] SetKeyByteOrderUserData()
    {
        var bytes = new byte[6];
        bytes[0] = NftValue.UserDataSetKeyByteOrder;
        bytes[1] = 4;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), NftValue.ByteOrderBigEndian);
        if (!BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), NftValue.ByteOrderBigEndian);
        return bytes;
    }
}
