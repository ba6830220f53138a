using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// Turns a YAML node into JSON the way kubectl does (YAML → JSON → typed object), so a manifest means here what it
/// means to kubectl: plain scalars that look like numbers, booleans or null become those, everything else and every
/// quoted scalar is a string. Going through JSON also avoids KubernetesYaml, whose first call spends seconds
/// registering every model type with YamlDotNet.
/// </summary>
internal static class YamlToJson
{
    /// <summary>Aliases can make a small file expand enormously ("billion laughs"); no manifest needs this many nodes.</summary>
    private const int MaxNodes = 1_000_000;

    public static JsonNode? Convert(YamlNode node)
    {
        var budget = MaxNodes;
        return Convert(node, ref budget);
    }

    private static JsonNode? Convert(YamlNode node, ref int budget)
    {
        if (--budget < 0) throw new ManifestParseException($"more than {MaxNodes} YAML nodes (alias expansion?)");
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                        throw new ManifestParseException($"line {key.Start.Line}: only scalar mapping keys are supported");
                    if (obj.ContainsKey(name)) throw new ManifestParseException($"line {key.Start.Line}: duplicate key \"{name}\"");
                    obj[name] = Convert(value, ref budget);
                }
                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence)
                {
                    array.Add(Convert(item, ref budget));
                }
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new ManifestParseException($"line {node.Start.Line}: unsupported YAML node {node.NodeType}");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (LooksNumeric(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real)) return JsonValue.Create(real);
        }
        if (text.StartsWith("0x", StringComparison.Ordinal) &&
            long.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }
        return JsonValue.Create(text);
    }

    /// <summary>[-+]digits[.digits][e[-+]digits]: what YAML resolves as int or float (not "1.2.3", dates or IPs).</summary>
    private static bool LooksNumeric(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] is '-' or '+') i++;
        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '-' or '+') i++;
            var exponent = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i])) { i++; exponent++; }
            if (exponent == 0) return false;
        }
        return i == text.Length;
    }
}
