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
    /// <summary>Writes the expressions of <paramref name="rule"/>; returns its comment (null when none).</summary>
    public static string? Compile(string rule, IPFamily family, NftExpressionWriter writer)
    {
        var tokens = Tokenize(rule);
        var ip = family == IPFamily.IPv6 ? "ip6" : "ip";
        string? comment = null;
        byte? l4proto = null;
        var ended = false;
        var i = 0;
        while (i < tokens.Count)
        {
            var t = tokens[i];
            if (ended && t.Text != "comment") throw Unsupported(rule, $"'{t.Text}' after the verdict");
            switch (t.Text)
            {
                case "ip" or "ip6":
                    {
                        if (t.Text != ip) throw Unsupported(rule, $"'{t.Text}' in the {family} table");
                        var field = Word(tokens, i + 1, rule);
                        var offset = (field, family) switch
                        {
                            ("saddr", IPFamily.IPv4) => 12u,
                            ("daddr", IPFamily.IPv4) => 16u,
                            ("saddr", IPFamily.IPv6) => 8u,
                            ("daddr", IPFamily.IPv6) => 24u,
                            _ => throw Unsupported(rule, $"{ip} {field}"),
                        };
                        var length = family == IPFamily.IPv6 ? 16u : 4u;
                        i += 2;
                        var negate = Negation(tokens, ref i);
                        var value = Word(tokens, i++, rule);
                        writer.Payload(NftValue.PayloadNetwork, offset, length, NftValue.Reg1);
                        if (value.StartsWith('@'))
                        {
                            writer.Lookup(SetName(value, rule), NftValue.Reg1, negate);
                        }
                        else
                        {
                            var network = ParseNetwork(value, family, rule);
                            var bytes = network.BaseAddress.GetAddressBytes();
                            if (network.PrefixLength == 0) throw Unsupported(rule, "a /0 match");
                            if (network.PrefixLength < bytes.Length * 8) writer.Mask(NftValue.Reg1, PrefixMask(network.PrefixLength, bytes.Length));
                            writer.Cmp(negate ? NftValue.CmpNeq : NftValue.CmpEq, NftValue.Reg1, bytes);
                        }
                        break;
                    }
                case "tcp" or "udp" or "sctp":
                    {
                        if (Word(tokens, i + 1, rule) != "dport") throw Unsupported(rule, $"{t.Text} {tokens[i + 1].Text}");
                        var proto = ProtocolNumber(t.Text, rule);
                        i += 2;
                        var negate = Negation(tokens, ref i);
                        var port = ParsePort(Word(tokens, i++, rule), rule);
                        writer.Meta(NftValue.MetaL4Proto, NftValue.Reg1);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, [proto]);
                        writer.Payload(NftValue.PayloadTransport, 2, 2, NftValue.Reg1);
                        writer.Cmp(negate ? NftValue.CmpNeq : NftValue.CmpEq, NftValue.Reg1, PortBytes(port));
                        l4proto = proto;
                        break;
                    }
                case "meta":
                    {
                        if (Word(tokens, i + 1, rule) != "l4proto") throw Unsupported(rule, $"meta {tokens[i + 1].Text}");
                        var proto = ProtocolNumber(Word(tokens, i + 2, rule), rule);
                        i += 3;
                        writer.Meta(NftValue.MetaL4Proto, NftValue.Reg1);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, [proto]);
                        l4proto = proto;
                        break;
                    }
                case "iifname":
                    {
                        i++;
                        var negate = Negation(tokens, ref i);
                        var name = Quoted(tokens, i++, rule);
                        writer.Meta(NftValue.MetaIifName, NftValue.Reg1);
                        writer.Cmp(negate ? NftValue.CmpNeq : NftValue.CmpEq, NftValue.Reg1, InterfaceNameBytes(name, rule));
                        break;
                    }
                case "fib":
                    {
                        if (Word(tokens, i + 1, rule) != "saddr" || Word(tokens, i + 2, rule) != "type" || Word(tokens, i + 3, rule) != "local")
                            throw Unsupported(rule, "a fib match other than 'fib saddr type local'");
                        i += 4;
                        writer.FibSourceAddressType(NftValue.Reg1);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, NftExpressionWriter.HostU32(NftValue.RtnLocal));
                        break;
                    }
                case "numgen":
                    {
                        // numgen random mod K == N
                        if (Word(tokens, i + 1, rule) != "random" || Word(tokens, i + 2, rule) != "mod" || Word(tokens, i + 4, rule) != "==")
                            throw Unsupported(rule, "a numgen form other than 'numgen random mod K == N'");
                        var modulus = ParseUInt(Word(tokens, i + 3, rule), rule);
                        var value = ParseUInt(Word(tokens, i + 5, rule), rule);
                        if (modulus == 0 || value >= modulus) throw Unsupported(rule, "a numgen value outside its modulus");
                        i += 6;
                        writer.RandomNumber(NftValue.Reg1, modulus);
                        writer.Cmp(NftValue.CmpEq, NftValue.Reg1, NftExpressionWriter.HostU32(value));
                        break;
                    }
                case "jump" or "goto":
                    writer.Verdict(t.Text == "jump" ? NftValue.Jump : NftValue.Goto, ChainName(Word(tokens, i + 1, rule), rule));
                    i += 2;
                    ended = true;
                    break;
                case "drop" or "accept" or "return":
                    writer.Verdict(t.Text switch { "drop" => NftValue.Drop, "accept" => NftValue.Accept, _ => NftValue.Return }, null);
                    i++;
                    ended = true;
                    break;
                case "update":
                    {
                        // update @SET { ip saddr }
                        var set = SetName(Word(tokens, i + 1, rule), rule);
                        if (Word(tokens, i + 2, rule) != "{" || Word(tokens, i + 3, rule) != ip || Word(tokens, i + 4, rule) != "saddr" || Word(tokens, i + 5, rule) != "}")
                            throw Unsupported(rule, $"an update other than 'update @set {{ {ip} saddr }}'");
                        i += 6;
                        writer.Payload(NftValue.PayloadNetwork, family == IPFamily.IPv6 ? 8u : 12u, family == IPFamily.IPv6 ? 16u : 4u, NftValue.Reg1);
                        writer.DynsetUpdate(set, NftValue.Reg1);
                        break;
                    }
                case "dnat":
                    {
                        if (Word(tokens, i + 1, rule) != "to") throw Unsupported(rule, "dnat without 'to'");
                        // The kernel's NAT needs the layer-4 protocol pinned before a port can be rewritten.
                        if (l4proto is null) throw Unsupported(rule, "dnat to a port without a protocol match");
                        var nfproto = family == IPFamily.IPv6 ? NftValue.NfProtoIPv6 : NftValue.NfProtoIPv4;
                        if (Word(tokens, i + 2, rule) == "numgen")
                        {
                            // dnat to numgen random mod K offset B map @MAP: the map's value is address . port.
                            if (Word(tokens, i + 3, rule) != "random" || Word(tokens, i + 4, rule) != "mod" || Word(tokens, i + 6, rule) != "offset"
                                || Word(tokens, i + 8, rule) != "map")
                                throw Unsupported(rule, "a dnat map other than 'numgen random mod K offset B map @map'");
                            var modulus = ParseUInt(Word(tokens, i + 5, rule), rule);
                            var offset = ParseUInt(Word(tokens, i + 7, rule), rule);
                            if (modulus == 0 || offset > uint.MaxValue - modulus) throw Unsupported(rule, "a numgen range outside 32 bits");
                            var map = SetName(Word(tokens, i + 9, rule), rule);
                            i += 10;
                            writer.RandomNumber(NftValue.Reg1, modulus, offset);
                            writer.MapLookup(map, NftValue.Reg1, NftValue.Reg1);
                            writer.DnatFromRegisters(nfproto, NftValue.Reg1, family == IPFamily.IPv6 ? NftValue.Reg2 : NftValue.Reg1Next32);
                            ended = true;
                            break;
                        }
                        var (address, port) = ParseHostPort(Word(tokens, i + 2, rule), family, rule);
                        i += 3;
                        writer.Immediate(NftValue.Reg1, address.GetAddressBytes());
                        writer.Immediate(NftValue.Reg2, PortBytes(port));
                        writer.Dnat(nfproto, NftValue.Reg1, NftValue.Reg2);
                        ended = true;
                        break;
                    }
                case "comment":
                    comment = Quoted(tokens, i + 1, rule);
                    i += 2;
                    if (i != tokens.Count) throw Unsupported(rule, "words after the comment");
                    break;
                default:
                    throw Unsupported(rule, $"'{t.Text}'");
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

    public static byte ProtocolNumber(string name, string context) => name switch
    {
        "tcp" => (byte)ProtocolType.Tcp,
        "udp" => (byte)ProtocolType.Udp,
        "sctp" => 132,
        _ => throw Unsupported(context, $"protocol '{name}'"),
    };

    public static byte[] PortBytes(ushort port)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, port);
        return bytes;
    }

    public static ushort ParsePort(string text, string context) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port != 0
            ? port
            : throw Unsupported(context, $"port '{text}'");

    public static IPAddress ParseAddress(string text, IPFamily family, string context) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == (family == IPFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
            ? address
            : throw Unsupported(context, $"address '{text}'");

    public static NftUnsupportedException Unsupported(string context, string what) =>
        new($"the netlink encoder does not handle {what} (in \"{context}\")");

    private static IPNetwork ParseNetwork(string text, IPFamily family, string context)
    {
        if (!text.Contains('/')) return new IPNetwork(ParseAddress(text, family, context), family == IPFamily.IPv6 ? 128 : 32);
        if (!IPNetwork.TryParse(text, out var network)) throw Unsupported(context, $"CIDR '{text}'");
        ParseAddress(network.BaseAddress.ToString(), family, context);
        return network;
    }

    private static byte[] PrefixMask(int prefix, int length)
    {
        var mask = new byte[length];
        for (var b = 0; b < prefix; b++) mask[b / 8] |= (byte)(0x80 >> (b % 8));
        return mask;
    }

    private static (IPAddress Address, ushort Port) ParseHostPort(string text, IPFamily family, string context)
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
        return (ParseAddress(host, family, context), ParsePort(text[(colon + 1)..], context));
    }

    private static byte[] InterfaceNameBytes(string name, string context)
    {
        // An exact name is compared with its NUL padding (all 16 bytes); "prefix*" compares just the prefix.
        var wildcard = name.EndsWith('*');
        var text = wildcard ? name[..^1] : name;
        var count = Encoding.ASCII.GetByteCount(text);
        if (count == 0 || count > 15 || text.Any(c => c is '*' or '\\' or '"' || c > 127)) throw Unsupported(context, $"interface name '{name}'");
        var bytes = new byte[wildcard ? count : 16];
        Encoding.ASCII.GetBytes(text, bytes);
        return bytes;
    }

    private static uint ParseUInt(string text, string context) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Unsupported(context, $"number '{text}'");

    private static string SetName(string text, string context) =>
        text.Length > 1 && text[0] == '@' ? ChainName(text[1..], context) : throw Unsupported(context, $"set reference '{text}'");

    /// <summary>Chain and set names come from our own renderer; still, refuse anything nft would have to quote.</summary>
    private static string ChainName(string text, string context) =>
        text.Length is > 0 and <= 255 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':')
            ? text
            : throw Unsupported(context, $"name '{text}'");

    private static bool Negation(List<Token> tokens, ref int i)
    {
        if (i < tokens.Count && !tokens[i].Quoted && tokens[i].Text == "!=")
        {
            i++;
            return true;
        }
        return false;
    }

    private static string Word(List<Token> tokens, int i, string context) =>
        i < tokens.Count && !tokens[i].Quoted ? tokens[i].Text : throw Unsupported(context, "a rule that ends early");

    private static string Quoted(List<Token> tokens, int i, string context) =>
        i < tokens.Count && tokens[i].Quoted ? tokens[i].Text : throw Unsupported(context, "a missing quoted string");

    private static List<Token> Tokenize(string rule)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < rule.Length)
        {
            if (rule[i] == ' ')
            {
                i++;
                continue;
            }
            if (rule[i] == '"')
            {
                var end = rule.IndexOf('"', i + 1);
                if (end < 0) throw Unsupported(rule, "an unterminated string");
                tokens.Add(new Token(rule[(i + 1)..end], true));
                i = end + 1;
                continue;
            }
            var stop = rule.IndexOf(' ', i);
            if (stop < 0) stop = rule.Length;
            tokens.Add(new Token(rule[i..stop], false));
            i = stop;
        }
        return tokens;
    }

    private readonly record struct Token(string Text, bool Quoted);
}

/// <summary>A command the netlink encoder does not know; the transaction goes to nft as text instead.</summary>
public sealed class NftUnsupportedException(string message) : Exception(message);
