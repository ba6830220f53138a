using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KubeProxy.Configuration;

/// <summary>
/// Prints a JSON tree as block YAML the way upstream's writer does (sigs.k8s.io/yaml over go-yaml v2): keys
/// sorted, two-space indent, sequence dashes level with their key, strings plain when they would read back as
/// strings, double-quoted when they would read back as something else ("", "0", "true"), single-quoted when
/// they start with a YAML indicator ("[::]:10256").
/// </summary>
internal static partial class YamlTreeWriter
{
    public static string Write(JsonObject root)
    {
        var sb = new StringBuilder();
        WriteMapping(sb, root, 0);
        return sb.ToString();
    }

    private static void WriteMapping(StringBuilder sb, JsonObject obj, int indent)
    {
        foreach (var key in obj.Select(p => p.Key).Order(StringComparer.Ordinal))
        {
            sb.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteValue(sb, obj[key], indent);
        }
    }

    // Writes what follows "key:" (or "-"): an inline scalar, or a nested block on the next lines.
    private static void WriteValue(StringBuilder sb, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                sb.Append(" {}\n");
                break;
            case JsonObject nested:
                sb.Append('\n');
                WriteMapping(sb, nested, indent + 2);
                break;
            case JsonArray { Count: 0 }:
                sb.Append(" []\n");
                break;
            case JsonArray list:
                sb.Append('\n');
                foreach (var item in list)
                {
                    sb.Append(' ', indent).Append('-');
                    if (item is JsonObject { Count: > 0 } itemObject)
                    {
                        // "- first: x" then the other keys aligned under "first".
                        var inner = new StringBuilder();
                        WriteMapping(inner, itemObject, indent + 2);
                        sb.Append(' ').Append(inner.ToString(indent + 2, inner.Length - indent - 2));
                    }
                    else
                    {
                        WriteValue(sb, item, indent);
                    }
                }

                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.TryGetValue(out string? s) => Scalar(s),
        JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
        JsonValue v when v.TryGetValue(out long l) => l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue(out int i) => i.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue(out float f) => GoFloat.FormatG(double.Parse(
            f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)),
        JsonValue v when v.TryGetValue(out double d) => GoFloat.FormatG(d),
        _ => Scalar(node.ToJsonString()),
    };

    /// <summary>A string scalar in the style go-yaml v2 would pick.</summary>
    internal static string Scalar(string s)
    {
        if (YamlTreeReader.ResolvePlain(s) is not JsonValue resolved || !resolved.TryGetValue(out string? _) ||
            LooksLikeBase60(s))
        {
            return DoubleQuoted(s);
        }

        if (HasSpecialCharacters(s))
        {
            return DoubleQuoted(s);
        }

        return PlainAllowed(s) ? s : "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    // go-yaml quotes "1:20"-like strings, which YAML 1.1 readers take for sexagesimal numbers.
    private static bool LooksLikeBase60(string s) => Base60Float().IsMatch(s);

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Base60Float();

    private static bool HasSpecialCharacters(string s) =>
        s.Any(c => c is '\n' or '\r' or '\t' || char.IsControl(c) || c == '\uFEFF');

    // libyaml's analysis for a block-context plain scalar.
    private static bool PlainAllowed(string s)
    {
        if (s.Length == 0 || s[0] == ' ' || s[^1] == ' ')
        {
            return false;
        }

        static bool BlankOrEnd(string text, int i) => i >= text.Length || text[i] == ' ';

        var first = s[0];
        if (first is '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%'
            or '@' or '`')
        {
            return false;
        }

        if (first is '?' or ':' or '-' && BlankOrEnd(s, 1))
        {
            return false;
        }

        for (var i = 1; i < s.Length; i++)
        {
            if (s[i] == ':' && BlankOrEnd(s, i + 1))
            {
                return false;
            }

            if (s[i] == '#' && s[i - 1] == ' ')
            {
                return false;
            }
        }

        return true;
    }

    private static string DoubleQuoted(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c) || c == '\uFEFF')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
