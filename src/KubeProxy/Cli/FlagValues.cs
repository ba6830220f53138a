using System.Globalization;
using System.Text;
using KubeProxy.Configuration;

namespace KubeProxy.Cli;

/// <summary>
/// Value parsers with Go's rules, each returning an error text or null: strconv.ParseBool, ParseInt with base
/// prefixes, ParseFloat, time.ParseDuration, pflag's CSV string slices and cliflag's key=bool maps.
/// </summary>
internal static class FlagValues
{
    public static string? Bool(string text, out bool value)
    {
        (var ok, value) = text switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => (true, true),
            "0" or "f" or "F" or "FALSE" or "false" or "False" => (true, false),
            _ => (false, false),
        };
        return ok ? null : $"strconv.ParseBool: parsing \"{text}\": invalid syntax";
    }

    public static string? Int32(string text, out int value)
    {
        value = 0;
        if (!GoInteger.TryParse(text, 32, out var parsed))
        {
            return $"strconv.ParseInt: parsing \"{text}\": invalid syntax or value out of range";
        }

        value = (int)parsed;
        return null;
    }

    public static string? UInt32(string text, out int value)
    {
        value = 0;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit) ||
            !uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed > int.MaxValue)
        {
            return $"strconv.ParseUint: parsing \"{text}\": invalid syntax or value out of range";
        }

        value = (int)parsed;
        return null;
    }

    public static string? Float32(string text, out float value)
    {
        value = 0;
        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (!float.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out value) ||
            float.IsInfinity(value) || plain.Trim() != plain)
        {
            return $"strconv.ParseFloat: parsing \"{text}\": invalid syntax";
        }

        return null;
    }

    public static string? Duration(string text, out GoDuration value) =>
        GoDuration.TryParse(text, out value, out var error) ? null : error;

    /// <summary>One value of a pflag StringSlice: a CSV record; "" is an empty list.</summary>
    public static string? StringSlice(string text, out List<string> values)
    {
        values = [];
        if (text.Length == 0)
        {
            return null;
        }

        var field = new StringBuilder();
        var quoted = false;
        var atFieldStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when atFieldStart:
                    quoted = true;
                    atFieldStart = false;
                    break;
                case ',':
                    values.Add(field.ToString());
                    field.Clear();
                    atFieldStart = true;
                    break;
                default:
                    field.Append(c);
                    atFieldStart = false;
                    break;
            }
        }

        if (quoted)
        {
            return "extraneous or missing \" in quoted-field";
        }

        values.Add(field.ToString());
        return null;
    }

    /// <summary>cliflag.MapStringBool: "key=bool,key=bool", spaces around parts ignored.</summary>
    public static string? BoolMap(string text, Dictionary<string, bool> into)
    {
        foreach (var part in text.Split(','))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                return $"malformed pair, expect string=bool";
            }

            var key = kv[0].Trim();
            if (Bool(kv[1].Trim(), out var enabled) is { } error)
            {
                return $"invalid value of {key}: {kv[1].Trim()}, err: {error}";
            }

            into[key] = enabled;
        }

        return null;
    }

    /// <summary>klog's --vmodule: "pattern=N,pattern=N".</summary>
    public static string? VModule(string text, out List<VModuleItem> items)
    {
        items = [];
        foreach (var part in text.Split(','))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var kv = part.Split('=');
            if (kv.Length != 2 || kv[0].Length == 0 || UInt32(kv[1], out var level) is not null)
            {
                return "expect comma-separated list of filename=N";
            }

            items.Add(new VModuleItem(kv[0], level));
        }

        return null;
    }

    /// <summary>utilflag.IPVar: empty, or an IP address.</summary>
    public static string? IP(string text) =>
        text.Length == 0 || GoNet.TryParseIP(text, out _) ? null : $"\"{text}\" is not a valid IP address";

    /// <summary>utilflag.IPPortVar: empty, an IP, or IP:port.</summary>
    public static string? IPPort(string text)
    {
        if (text.Length == 0 || GoNet.TryParseIP(text, out _))
        {
            return null;
        }

        if (!GoNet.TrySplitHostPort(text, out var host, out var port))
        {
            return $"\"{text}\" is not in a valid format (ip or ip:port)";
        }

        if (!GoNet.TryParseIP(host, out _))
        {
            return $"\"{host}\" is not a valid IP address";
        }

        return GoNet.TryParseDecimal(port, out var number) && number is >= 0 and <= 65535
            ? null
            : $"\"{port}\" is not a valid number";
    }
}
