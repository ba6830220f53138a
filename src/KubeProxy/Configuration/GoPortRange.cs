using System.Diagnostics.CodeAnalysis;

namespace KubeProxy.Configuration;

/// <summary>
/// A port range as upstream's utilnet.PortRange parses it: "" (none), "N", "A-B" or "A+offset", all within
/// 0..65535 and not running backwards. Only <c>portRange</c> and <c>--proxy-port-range</c> use it, and both are
/// no-ops kept for compatibility: a bad value is still rejected, as upstream does.
/// </summary>
public static class GoPortRange
{
    public static bool TryParse(string? text, out (int Base, int Size) range, [NotNullWhen(false)] out string? error)
    {
        range = (0, 0);
        error = null;
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0)
        {
            return true;
        }

        var hyphen = value.IndexOf('-', StringComparison.Ordinal);
        var plus = value.IndexOf('+', StringComparison.Ordinal);
        long low;
        long high;
        if (hyphen < 0 && plus < 0)
        {
            if (!GoNet.TryParseDecimal(value, out low))
            {
                error = $"unable to parse port range: {value}";
                return false;
            }

            high = low;
        }
        else if (hyphen >= 0 && plus < 0)
        {
            if (!GoNet.TryParseDecimal(value[..hyphen], out low) || !GoNet.TryParseDecimal(value[(hyphen + 1)..], out high))
            {
                error = $"unable to parse port range: {value}";
                return false;
            }
        }
        else if (plus >= 0 && hyphen < 0)
        {
            if (!GoNet.TryParseDecimal(value[..plus], out low) || !GoNet.TryParseDecimal(value[(plus + 1)..], out var offset))
            {
                error = $"unable to parse port range: {value}";
                return false;
            }

            high = low + offset;
        }
        else
        {
            error = $"unable to parse port range: {value}";
            return false;
        }

        if (low > 65535 || high > 65535)
        {
            error = $"the port range cannot be greater than 65535: {value}";
            return false;
        }

        if (high < low)
        {
            error = $"end port cannot be less than start port: {value}";
            return false;
        }

        range = ((int)low, (int)(1 + high - low));
        return true;
    }
}
