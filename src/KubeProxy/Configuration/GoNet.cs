using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KubeProxy.Configuration;

/// <summary>
/// Address parsing with the rules of the Go helpers upstream validation uses (k8s.io/utils/net ParseIPSloppy,
/// ParseCIDRSloppy, net.SplitHostPort). .NET's IPAddress.Parse is far more lenient ("10" is 0.0.0.10, hex parts,
/// scope ids), so a config that upstream rejects would be accepted; these functions keep us exactly as strict.
/// </summary>
public static class GoNet
{
    /// <summary>
    /// Parses an IPv4 dotted quad (leading zeros allowed and read as decimal, as the "sloppy" upstream parser
    /// does) or an IPv6 address without zone or brackets. IPv4-mapped IPv6 stays IPv6.
    /// </summary>
    public static bool TryParseIP(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || text.Contains('[', StringComparison.Ordinal) ||
                text.Contains('/', StringComparison.Ordinal))
            {
                return false;
            }

            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            var value = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>
    /// Parses "address/prefix" like Go's ParseCIDR: host bits may be set and are masked off, the prefix length
    /// is plain decimal within the family's size.
    /// </summary>
    public static bool TryParseCidr(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        var prefixText = text[(slash + 1)..];
        if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!TryParseIP(text[..slash], out var address))
        {
            return false;
        }

        var prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture);
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > bits)
        {
            return false;
        }

        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    /// <summary>
    /// Splits "host:port" or "[host]:port" like Go's net.SplitHostPort: an unbracketed host may not contain a
    /// colon, a port must be present (it may be empty text, which later validation rejects).
    /// </summary>
    public static bool TrySplitHostPort(string? text, out string host, out string port)
    {
        host = string.Empty;
        port = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var lastColon = text.LastIndexOf(':');
        if (lastColon < 0)
        {
            return false;
        }

        if (text[0] == '[')
        {
            var end = text.IndexOf(']', StringComparison.Ordinal);
            if (end < 0 || end + 1 != lastColon)
            {
                return false;
            }

            host = text[1..end];
            if (host.Contains('[', StringComparison.Ordinal) || host.Contains(']', StringComparison.Ordinal))
            {
                return false;
            }
        }
        else
        {
            host = text[..lastColon];
            if (host.Contains(':', StringComparison.Ordinal) || host.Contains('[', StringComparison.Ordinal) ||
                host.Contains(']', StringComparison.Ordinal))
            {
                return false;
            }
        }

        port = text[(lastColon + 1)..];
        if (port.Contains('[', StringComparison.Ordinal) || port.Contains(']', StringComparison.Ordinal))
        {
            return false;
        }

        return true;
    }

    /// <summary>
    /// Adds ":port" (or "[ip]:port") to a bare IP, and returns anything else unchanged for validation to judge
    /// (upstream's AppendPortIfNeeded).
    /// </summary>
    public static string AppendPortIfNeeded(string address, int port)
    {
        if (TrySplitHostPort(address, out _, out _))
        {
            return address;
        }

        if (!TryParseIP(address, out var ip))
        {
            return address;
        }

        return ip.AddressFamily == AddressFamily.InterNetwork
            ? address + ":" + port.ToString(CultureInfo.InvariantCulture)
            : "[" + address + "]:" + port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Go's strconv.Atoi for a port: optional sign and decimal digits only.</summary>
    public static bool TryParseDecimal(string text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = text.AsSpan();
        var negative = false;
        if (digits[0] is '+' or '-')
        {
            negative = digits[0] == '-';
            digits = digits[1..];
        }

        if (digits.IsEmpty || digits.Length > 18)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }
}
