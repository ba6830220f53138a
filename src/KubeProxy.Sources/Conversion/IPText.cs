using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace KubeProxy.Sources.Conversion;

/// <summary>
/// Parses IP addresses and CIDRs as the API server's legacy parser does (Go's ParseIPSloppy / ParseCIDRSloppy), which
/// is what every stored object has passed. .NET's <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> is far
/// looser ("1", "0x7f.1", "1.2.3", zones, brackets) so it is only used after the text has the shape Go accepts.
/// </summary>
internal static class IPText
{
    public const string InvalidIPDetail = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    public const string InvalidCidrDetail = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    /// <summary>
    /// IPv4 is four decimal fields (leading zeros allowed and read as decimal, as the legacy parser does); IPv6 is
    /// the usual text form without zone or brackets. An IPv4-mapped IPv6 address counts as IPv4, as Go's To4 says.
    /// </summary>
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = ParseRaw(text);
        if (address is { IsIPv4MappedToIPv6: true }) address = address.MapToIPv4();
        return address is not null;
    }

    /// <summary>"address/prefix"; host bits may be set (the legacy parser allows it) and are cleared.</summary>
    public static bool TryParseCidr(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrEmpty(text)) return false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || slash != text.LastIndexOf('/')) return false;
        var ip = ParseRaw(text[..slash]);
        if (ip is null || !TryParseDecimal(text.AsSpan(slash + 1), out var prefix)) return false;
        var bytes = ip.GetAddressBytes();
        if (prefix > bytes.Length * 8) return false;
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    /// <summary>
    /// Why an address may not be an endpoint or external IP (the API server's ValidateEndpointIP), or null.
    /// Such addresses make no sense as destinations or belong to the node itself (metadata services).
    /// </summary>
    public static string? SpecialAddressReason(IPAddress ip, string text)
    {
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) return $"may not be unspecified ({text})";
        if (IPAddress.IsLoopback(ip)) return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
        var b = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            if (b[0] == 169 && b[1] == 254) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
            if (b[0] == 224 && b[1] == 0 && b[2] == 0) return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
        }
        else
        {
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
            if (b[0] == 0xff && (b[1] & 0x0f) == 0x02) return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
        }
        return null;
    }

    private static IPAddress? ParseRaw(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        return text.Contains(':', StringComparison.Ordinal) ? ParseIPv6(text) : ParseIPv4(text);
    }

    private static IPAddress? ParseIPv4(string text)
    {
        Span<byte> bytes = stackalloc byte[4];
        var field = 0;
        foreach (var part in text.Split('.'))
        {
            if (field == 4 || !TryParseDecimal(part, out var value) || value > 255) return null;
            bytes[field++] = (byte)value;
        }
        return field == 4 ? new IPAddress(bytes) : null;
    }

    private static IPAddress? ParseIPv6(string text)
    {
        // Only hex digits, colons and the dots of an embedded IPv4 tail: no zone ("%eth0"), brackets or spaces.
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.') return null;
        }
        return IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? ip : null;
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.IsEmpty) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
            if (value > 0xFFFF) return false;
        }
        return true;
    }
}
