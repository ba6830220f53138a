using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeProxy.Core.Model;

namespace KubeProxy.Nftables.Netlink;

/// <summary>
/// Compiles the rules a Service's chains are made of (the vocabulary of ServiceRenderer, never arbitrary nft) into
/// nf_tables expressions, the way nft itself would: address and port matches, CIDR masks, set lookups, interface
/// names, <c>fib saddr type local</c>, <c>numgen random</c>, affinity updates, DNAT (to an address and port, or through
/// the endpoint-targets map by a numgen draw) and verdicts, plus a trailing
/// comment. Anything else (for example an anonymous set <c>{ a, b }</c>) throws <see cref="NftUnsupportedException"/>
/// and the caller sends the transaction as nft text instead, so an unknown rule is slower, never wrong.
/// </summary>
internal static class NftRuleCompiler
{
    /// <summary>Most words a rule of ours has (a firewall rule with its comment has about 12).</summary>
    private const int MaxTokens = 48;

    /// <summary>Writes the expressions of <paramref name="rule"/>; returns its comment (null when none). Words are
    /// compared and parsed as spans of the rule (a full sync compiles tens of thousands of rules, and a substring per
    /// word was a large share of what it allocated).</summary>
    public static string? Compile(string rule, IPFamily family, NftExpressionWriter writer)
    {
        Span<Token> buffer = stackalloc Token[MaxTokens];
        var tokens = new Words(rule, buffer[..Tokenize(rule, buffer)]);
        // Scratch for the bytes of one expression (an address, a mask, a port or a number), reused by each.
        Span<byte> address = stackalloc byte[16];
        Span<byte> mask = stackalloc byte[16];
        Span<byte> small = stackalloc byte[4];
        var ip = family == IPFamily.IPv6 ? "ip6" : "ip";
        string? comment = null;
        byte? l4proto = null;
        var ended = false;
        var i = 0;
        while (i < tokens.Count)
        {
            var t = tokens.Text(i);
            if (ended && t is not "comment") throw Unsupported(rule, $"'{t}' after the verdict");
            switch (t)
            {
                case "ip" or "ip6":
                    {
                        if (!t.SequenceEqual(ip)) throw Unsupported(rule, $"'{t}' in the {family} table");
                        var field = tokens.Word(i + 1);
                        var v6 = family == IPFamily.IPv6;
                        var offset = field switch
                        {
                            "saddr" => v6 ? 8u : 12u,
                            "daddr" => v6 ? 24u : 16u,
                            _ => throw Unsupported(rule, $"{ip} {field}"),
                        };
                        var length = v6 ? 16 : 4;
                        i += 2;
                        var negate = tokens.Negation(ref i);
                        var value = tokens.Word(i++);
                        writer.Payload(NftValue.PayloadNetwork, offset, (uint)length, NftValue.Reg1);
                        if (value.StartsWith('@'))
                        {
                            writer.Lookup(SetName(value, rule), NftValue.Reg1, negate);
                        }
                        else
                        {
                            var prefix = ParseNetwork(value, family, rule, address);
                            if (prefix == 0) throw Unsupported(rule, "a /0 match");
                            if (prefix < length * 8) writer.Mask(NftValue.Reg1, PrefixMask(prefix, mask[..length]));
                            writer.Cmp(negate ? NftValue.CmpNeq : NftValue.CmpEq, NftValue.Reg1, address[..length]);
                        }
                        break;
                    }
                case "tcp" or "udp" or "sctp":
                    {
                        if (tokens.Word(i + 1) is not "dport") throw Unsupported(rule, $"{t} {tokens.Text(i + 1)}");
                        var proto = ProtocolNumber(t, rule);
                        i += 2;
                        var negate = tokens.Negation(ref i);
                        var port = ParsePort(tokens.Word(i++), rule);
                        writer.Meta(NftValue.MetaL4Proto, NftValue.Reg1);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, [proto]);
                        writer.Payload(NftValue.PayloadTransport, 2, 2, NftValue.Reg1);
                        writer.Cmp(negate ? NftValue.CmpNeq : NftValue.CmpEq, NftValue.Reg1, PortBytes(port, small));
                        l4proto = proto;
                        break;
                    }
                case "meta":
                    {
                        if (tokens.Word(i + 1) is not "l4proto") throw Unsupported(rule, $"meta {tokens.Text(i + 1)}");
                        var proto = ProtocolNumber(tokens.Word(i + 2), rule);
                        i += 3;
                        writer.Meta(NftValue.MetaL4Proto, NftValue.Reg1);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, [proto]);
                        l4proto = proto;
                        break;
                    }
                case "iifname":
                    {
                        i++;
                        var negate = tokens.Negation(ref i);
                        var name = tokens.Quoted(i++);
                        writer.Meta(NftValue.MetaIifName, NftValue.Reg1);
                        writer.Cmp(negate ? NftValue.CmpNeq : NftValue.CmpEq, NftValue.Reg1, InterfaceNameBytes(name, rule, address));
                        break;
                    }
                case "fib":
                    {
                        if (tokens.Word(i + 1) is not "saddr" || tokens.Word(i + 2) is not "type" || tokens.Word(i + 3) is not "local")
                            throw Unsupported(rule, "a fib match other than 'fib saddr type local'");
                        i += 4;
                        writer.FibSourceAddressType(NftValue.Reg1);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, NftExpressionWriter.HostU32(NftValue.RtnLocal, small));
                        break;
                    }
                case "numgen":
                    {
                        // numgen random mod K == N
                        if (tokens.Word(i + 1) is not "random" || tokens.Word(i + 2) is not "mod" || tokens.Word(i + 4) is not "==")
                            throw Unsupported(rule, "a numgen form other than 'numgen random mod K == N'");
                        var modulus = ParseUInt(tokens.Word(i + 3), rule);
                        var value = ParseUInt(tokens.Word(i + 5), rule);
                        if (modulus == 0 || value >= modulus) throw Unsupported(rule, "a numgen value outside its modulus");
                        i += 6;
                        writer.RandomNumber(NftValue.Reg1, modulus);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, NftExpressionWriter.HostU32(value, small));
                        break;
                    }
                case "jump" or "goto":
                    writer.Verdict(t is "jump" ? NftValue.Jump : NftValue.Goto, ChainName(tokens.Word(i + 1), rule));
                    i += 2;
                    ended = true;
                    break;
                case "drop" or "accept" or "return":
                    writer.Verdict(t switch { "drop" => NftValue.Drop, "accept" => NftValue.Accept, _ => NftValue.Return }, []);
                    i++;
                    ended = true;
                    break;
                case "update":
                    {
                        // update @SET { ip saddr }
                        var set = SetName(tokens.Word(i + 1), rule);
                        if (tokens.Word(i + 2) is not "{" || !tokens.Word(i + 3).SequenceEqual(ip) || tokens.Word(i + 4) is not "saddr" || tokens.Word(i + 5) is not "}")
                            throw Unsupported(rule, $"an update other than 'update @set {{ {ip} saddr }}'");
                        i += 6;
                        writer.Payload(NftValue.PayloadNetwork, family == IPFamily.IPv6 ? 8u : 12u, family == IPFamily.IPv6 ? 16u : 4u, NftValue.Reg1);
                        writer.DynsetUpdate(set, NftValue.Reg1);
                        break;
                    }
                case "dnat":
                    {
                        if (tokens.Word(i + 1) is not "to") throw Unsupported(rule, "dnat without 'to'");
                        // The kernel's NAT needs the layer-4 protocol pinned before a port can be rewritten.
                        if (l4proto is null) throw Unsupported(rule, "dnat to a port without a protocol match");
                        var nfproto = family == IPFamily.IPv6 ? NftValue.NfProtoIPv6 : NftValue.NfProtoIPv4;
                        if (tokens.Word(i + 2) is "numgen")
                        {
                            // dnat to numgen random mod K offset B map @MAP: the map's value is address . port.
                            if (tokens.Word(i + 3) is not "random" || tokens.Word(i + 4) is not "mod" || tokens.Word(i + 6) is not "offset"
                                || tokens.Word(i + 8) is not "map")
                                throw Unsupported(rule, "a dnat map other than 'numgen random mod K offset B map @map'");
                            var modulus = ParseUInt(tokens.Word(i + 5), rule);
                            var offset = ParseUInt(tokens.Word(i + 7), rule);
                            if (modulus == 0 || offset > uint.MaxValue - modulus) throw Unsupported(rule, "a numgen range outside 32 bits");
                            var map = SetName(tokens.Word(i + 9), rule);
                            i += 10;
                            writer.RandomNumber(NftValue.Reg1, modulus, offset);
                            writer.MapLookup(map, NftValue.Reg1, NftValue.Reg1);
                            writer.DnatFromRegisters(nfproto, NftValue.Reg1, family == IPFamily.IPv6 ? NftValue.Reg2 : NftValue.Reg1Next32);
                            ended = true;
                            break;
                        }
                        var (addressLength, port) = ParseHostPort(tokens.Word(i + 2), family, rule, address);
                        i += 3;
                        writer.Immediate(NftValue.Reg1, address[..addressLength]);
                        writer.Immediate(NftValue.Reg2, PortBytes(port, small));
                        writer.Dnat(nfproto, NftValue.Reg1, NftValue.Reg2);
                        ended = true;
                        break;
                    }
                case "comment":
                    comment = tokens.Quoted(i + 1).ToString();
                    i += 2;
                    if (i != tokens.Count) throw Unsupported(rule, "words after the comment");
                    break;
                default:
                    throw Unsupported(rule, $"'{t}'");
            }
        }
        return comment;
    }

    /// <summary>A libnftnl userdata TLV holding a comment: type 0, length (with the NUL), the text, NUL.</summary>
    public static byte[] CommentUserData(string comment)
    {
        var count = Encoding.UTF8.GetByteCount(comment);
        if (count + 1 > byte.MaxValue) throw new NftUnsupportedException($"comment of {count} bytes is too long");
        var bytes = new byte[count + 3];
        bytes[0] = NftValue.UserDataComment;
        bytes[1] = (byte)(count + 1);
        Encoding.UTF8.GetBytes(comment, bytes.AsSpan(2));
        return bytes;
    }

    public static byte ProtocolNumber(ReadOnlySpan<char> name, string context) => name switch
    {
        "tcp" => (byte)ProtocolType.Tcp,
        "udp" => (byte)ProtocolType.Udp,
        "sctp" => 132,
        _ => throw Unsupported(context, $"protocol '{name}'"),
    };

    /// <summary>The port in network order, in <paramref name="destination"/> (2 bytes).</summary>
    public static Span<byte> PortBytes(ushort port, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, port);
        return destination[..2];
    }

    public static ushort ParsePort(ReadOnlySpan<char> text, string context) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port != 0
            ? port
            : throw Unsupported(context, $"port '{text}'");

    /// <summary>Writes the address in network order to <paramref name="destination"/> (16 bytes of room); returns its
    /// length, 4 or 16 by <paramref name="family"/>.</summary>
    public static int ParseAddress(ReadOnlySpan<char> text, IPFamily family, string context, Span<byte> destination)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != (family == IPFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
            || !address.TryWriteBytes(destination, out var written))
            throw Unsupported(context, $"address '{text}'");
        return written;
    }

    public static NftUnsupportedException Unsupported(string context, string what) =>
        new($"the netlink encoder does not handle {what} (in \"{context}\")");

    /// <summary>An address or CIDR: the base address goes to <paramref name="address"/>; returns the prefix length.</summary>
    private static int ParseNetwork(ReadOnlySpan<char> text, IPFamily family, string context, Span<byte> address)
    {
        var bits = family == IPFamily.IPv6 ? 128 : 32;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            ParseAddress(text, family, context, address);
            return bits;
        }
        if (!IPNetwork.TryParse(text, out var network)) throw Unsupported(context, $"CIDR '{text}'");
        if (network.BaseAddress.AddressFamily != (family == IPFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
            || !network.BaseAddress.TryWriteBytes(address, out _))
            throw Unsupported(context, $"address '{text}'");
        return network.PrefixLength;
    }

    private static Span<byte> PrefixMask(int prefix, Span<byte> mask)
    {
        mask.Clear();
        for (var b = 0; b < prefix; b++) mask[b / 8] |= (byte)(0x80 >> (b % 8));
        return mask;
    }

    private static (int AddressLength, ushort Port) ParseHostPort(ReadOnlySpan<char> text, IPFamily family, string context, Span<byte> address)
    {
        // 198.18.0.1:80 or [fd00::1]:80
        var colon = text.LastIndexOf(':');
        if (colon <= 0) throw Unsupported(context, $"dnat target '{text}'");
        var host = text[..colon];
        if (family == IPFamily.IPv6)
        {
            if (!host.StartsWith('[') || !host.EndsWith(']')) throw Unsupported(context, $"dnat target '{text}'");
            host = host[1..^1];
        }
        return (ParseAddress(host, family, context, address), ParsePort(text[(colon + 1)..], context));
    }

    private static Span<byte> InterfaceNameBytes(ReadOnlySpan<char> name, string context, Span<byte> destination)
    {
        // An exact name is compared with its NUL padding (all 16 bytes); "prefix*" compares just the prefix.
        var wildcard = name.EndsWith('*');
        var text = wildcard ? name[..^1] : name;
        if (text.Length == 0 || text.Length > 15 || text.ContainsAny('*', '\\', '"') || !Ascii.IsValid(text)) throw Unsupported(context, $"interface name '{name}'");
        destination.Clear();
        Ascii.FromUtf16(text, destination, out var count);
        return destination[..(wildcard ? count : 16)];
    }

    private static uint ParseUInt(ReadOnlySpan<char> text, string context) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Unsupported(context, $"number '{text}'");

    private static ReadOnlySpan<char> SetName(ReadOnlySpan<char> text, string context) =>
        text.Length > 1 && text[0] == '@' ? ChainName(text[1..], context) : throw Unsupported(context, $"set reference '{text}'");

    /// <summary>Chain and set names come from our own renderer; still, refuse anything nft would have to quote.</summary>
    private static ReadOnlySpan<char> ChainName(ReadOnlySpan<char> text, string context) =>
        text.Length is > 0 and <= 255 && !text.ContainsAnyExcept(NameCharacters)
            ? text
            : throw Unsupported(context, $"name '{text}'");

    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:");

    /// <summary>Splits <paramref name="rule"/> into words and quoted strings; returns how many.</summary>
    private static int Tokenize(string rule, Span<Token> tokens)
    {
        var count = 0;
        var i = 0;
        while (i < rule.Length)
        {
            if (rule[i] == ' ')
            {
                i++;
                continue;
            }
            if (count == tokens.Length) throw Unsupported(rule, $"a rule of more than {tokens.Length} words");
            if (rule[i] == '"')
            {
                var end = rule.IndexOf('"', i + 1);
                if (end < 0) throw Unsupported(rule, "an unterminated string");
                tokens[count++] = new Token(i + 1, end - i - 1, true);
                i = end + 1;
                continue;
            }
            var stop = rule.IndexOf(' ', i);
            if (stop < 0) stop = rule.Length;
            tokens[count++] = new Token(i, stop - i, false);
            i = stop;
        }
        return count;
    }

    /// <summary>Where a word is in the rule (a quoted string without its quotes).</summary>
    private readonly record struct Token(int Start, int Length, bool Quoted);

    /// <summary>The words of one rule, read as spans of it; a missing word is an unsupported rule.</summary>
    private readonly ref struct Words(string rule, ReadOnlySpan<Token> tokens)
    {
        private readonly ReadOnlySpan<Token> _tokens = tokens;

        public int Count => _tokens.Length;

        /// <summary>Word or quoted string <paramref name="i"/>, for comparisons and messages.</summary>
        public ReadOnlySpan<char> Text(int i) => i < _tokens.Length ? rule.AsSpan(_tokens[i].Start, _tokens[i].Length) : "";

        public ReadOnlySpan<char> Word(int i) =>
            i < _tokens.Length && !_tokens[i].Quoted ? rule.AsSpan(_tokens[i].Start, _tokens[i].Length) : throw Unsupported(rule, "a rule that ends early");

        public ReadOnlySpan<char> Quoted(int i) =>
            i < _tokens.Length && _tokens[i].Quoted ? rule.AsSpan(_tokens[i].Start, _tokens[i].Length) : throw Unsupported(rule, "a missing quoted string");

        public bool Negation(ref int i)
        {
            if (i < _tokens.Length && !_tokens[i].Quoted && Text(i) is "!=")
            {
                i++;
                return true;
            }
            return false;
        }
    }
}

/// <summary>A command the netlink encoder does not know; the transaction goes to nft as text instead.</summary>
public sealed class NftUnsupportedException(string message) : Exception(message);
