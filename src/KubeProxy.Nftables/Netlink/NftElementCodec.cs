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
    /// <summary>Room for any key or value (the longest of ours, IPv6 address . protocol . port, takes 24 bytes), with
    /// room to spare for the check that a further field would fit.</summary>
    private const int MaxKeyBytes = 64;

    public static byte[] Key(string key, IPFamily family)
    {
        Span<byte> bytes = stackalloc byte[MaxKeyBytes];
        return bytes[..WriteKey(key, family, key, bytes)].ToArray();
    }

    /// <summary>Writes <paramref name="key"/> (an address, or fields joined by " . ") as the kernel stores it; returns
    /// the length. Parsed as spans: a full sync writes a key or value for each of hundreds of thousands of elements.</summary>
    private static int WriteKey(ReadOnlySpan<char> key, IPFamily family, string context, Span<byte> destination)
    {
        if (key.IndexOf(" . ") < 0) return NftRuleCompiler.ParseAddress(key, family, context, destination);
        var written = 0;
        var rest = key;
        while (true)
        {
            var separator = rest.IndexOf(" . ");
            var part = separator < 0 ? rest : rest[..separator];
            if (part.IsEmpty || written + 16 > destination.Length) throw NftRuleCompiler.Unsupported(context, $"key '{key}'");
            var field = destination[written..];
            int length;
            if (part is "tcp" or "udp" or "sctp")
            {
                field[0] = NftRuleCompiler.ProtocolNumber(part, context);
                length = 1;
            }
            else if (char.IsAsciiDigit(part[0]) && !part.ContainsAny('.', ':'))
            {
                length = NftRuleCompiler.PortBytes(NftRuleCompiler.ParsePort(part, context), field).Length;
            }
            else
            {
                length = NftRuleCompiler.ParseAddress(part, family, context, field);
            }
            // Each field of a concatenation takes a 4-byte-aligned slot, zero padded.
            var padded = (length + 3) & ~3;
            field[length..padded].Clear();
            written += padded;
            if (separator < 0) return written;
            rest = rest[(separator + 3)..];
        }
    }

    /// <summary>The key of an element of <paramref name="map"/>, in <paramref name="destination"/>; returns the length.</summary>
    private static int WriteKey(string map, string key, IPFamily family, Span<byte> destination)
    {
        if (!Rendering.ServiceRenderer.IsEndpointTargetsMap(map)) return WriteKey(key, family, key, destination);
        if (!uint.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var slot))
            throw NftRuleCompiler.Unsupported(key, $"endpoint slot '{key}'");
        // numgen's result: a host-order integer.
        BitConverter.TryWriteBytes(destination, slot);
        return 4;
    }

    /// <summary>Writes NFTA_SET_ELEM_DATA for a verdict-map value ("goto CHAIN", "jump CHAIN", "drop", "accept") or a
    /// data value (<c>address . port</c>); an empty value (a plain set) writes nothing.</summary>
    public static void PutValue(NetlinkMessageBuilder builder, string value, string context, IPFamily family)
    {
        if (value.Length == 0) return;
        if (value.Contains(" . ", StringComparison.Ordinal))
        {
            Span<byte> bytes = stackalloc byte[MaxKeyBytes];
            var length = WriteKey(value, family, context, bytes);
            var nest = builder.BeginNested(NftAttr.SetElemData);
            builder.PutBytes(NftAttr.DataValue, bytes[..length]);
            builder.EndNested(nest);
            return;
        }
        var text = value.AsSpan();
        var space = text.IndexOf(' ');
        var verb = space < 0 ? text : text[..space];
        var chain = space < 0 ? [] : text[(space + 1)..];
        var code = verb switch
        {
            "goto" when space >= 0 => NftValue.Goto,
            "jump" when space >= 0 => NftValue.Jump,
            "drop" when space < 0 => NftValue.Drop,
            "accept" when space < 0 => NftValue.Accept,
            _ => throw NftRuleCompiler.Unsupported(context, $"map value '{value}'"),
        };
        if (space >= 0 && (chain.IsEmpty || chain.ContainsAny(" \"{}")))
            throw NftRuleCompiler.Unsupported(context, $"chain name '{chain}'");
        var data = builder.BeginNested(NftAttr.SetElemData);
        NftExpressionWriter.PutVerdict(builder, code, chain);
        builder.EndNested(data);
    }

    public static void PutKey(NetlinkMessageBuilder builder, string map, string key, IPFamily family)
    {
        Span<byte> bytes = stackalloc byte[MaxKeyBytes];
        var length = WriteKey(map, key, family, bytes);
        var nest = builder.BeginNested(NftAttr.SetElemKey);
        builder.PutBytes(NftAttr.DataValue, bytes[..length]);
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
