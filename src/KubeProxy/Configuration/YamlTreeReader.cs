using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace KubeProxy.Configuration;

/// <summary>
/// Reads the first YAML (or JSON, which is YAML) document into a JSON tree, resolving plain scalars the way
/// upstream's decoder does (sigs.k8s.io/yaml on go-yaml v2: YAML 1.1 booleans such as "yes"/"on", integers in
/// any Go base, floats, null). Upstream converts YAML to JSON before a strict, case-sensitive JSON decode; doing
/// the same here gives the same answers for the same file: <c>mode: yes</c> is a boolean and therefore not a
/// valid mode, <c>showHiddenMetricsForVersion: 1.34</c> is a number and not a string.
/// Duplicate keys are allowed (the last one wins) but reported, since strict decoding calls them out.
/// </summary>
internal sealed partial class YamlTreeReader
{
    private readonly Parser _parser;
    private readonly Dictionary<string, JsonNode?> _anchors = new(StringComparer.Ordinal);
    private readonly List<string> _duplicateFields;

    private YamlTreeReader(string text, List<string> duplicateFields)
    {
        _parser = new Parser(new StringReader(text));
        _duplicateFields = duplicateFields;
    }

    /// <summary>Parses <paramref name="text"/>; returns null for an empty document.</summary>
    /// <exception cref="ConfigurationException">The text is not well-formed YAML or JSON.</exception>
    public static JsonNode? Read(string text, List<string> duplicateFields)
    {
        var reader = new YamlTreeReader(text, duplicateFields);
        try
        {
            return reader.ReadDocument();
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(
                $"yaml: line {e.Start.Line}: {FirstLine(e.InnerException?.Message ?? e.Message)}", e);
        }
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }

    private JsonNode? ReadDocument()
    {
        _parser.Consume<StreamStart>();
        if (!_parser.TryConsume<DocumentStart>(out _))
        {
            return null;
        }

        return ReadNode(string.Empty);
    }

    private JsonNode? ReadNode(string path)
    {
        switch (_parser.Current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new ConfigurationException($"yaml: unknown anchor '{alias.Value.Value}' referenced");
                }

                return anchored?.DeepClone();

            case Scalar scalar:
                _parser.MoveNext();
                var value = ResolveScalar(scalar);
                Remember(scalar.Anchor, value);
                return value;

            case SequenceStart sequenceStart:
                _parser.MoveNext();
                var array = new JsonArray();
                while (!_parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(ReadNode(path + "[" + array.Count.ToString(CultureInfo.InvariantCulture) + "]"));
                }

                Remember(sequenceStart.Anchor, array);
                return array;

            case MappingStart mappingStart:
                _parser.MoveNext();
                var map = ReadMapping(path);
                Remember(mappingStart.Anchor, map);
                return map;

            default:
                throw new ConfigurationException(
                    $"yaml: unexpected {_parser.Current?.GetType().Name ?? "end of input"} at line {_parser.Current?.Start.Line}");
        }
    }

    private JsonObject ReadMapping(string path)
    {
        var map = new JsonObject();
        var merged = new List<JsonObject>();
        while (!_parser.TryConsume<MappingEnd>(out _))
        {
            var isMerge = _parser.Current is Scalar { Style: ScalarStyle.Plain, Value: "<<" } k && k.Tag.IsEmpty;
            var key = isMerge ? "<<" : ReadKey();
            if (isMerge)
            {
                _parser.MoveNext();
            }

            var childPath = path.Length == 0 ? key : path + "." + key;
            var value = ReadNode(childPath);
            if (isMerge)
            {
                CollectMergeSources(value, merged);
                continue;
            }

            if (map.ContainsKey(key))
            {
                _duplicateFields.Add(childPath);
                map.Remove(key);
            }

            map[key] = value;
        }

        // YAML merge keys ("<<: *base"): keys written in this mapping win over merged ones.
        foreach (var source in merged)
        {
            foreach (var (name, value) in source)
            {
                if (!map.ContainsKey(name))
                {
                    map[name] = value?.DeepClone();
                }
            }
        }

        return map;
    }

    private static void CollectMergeSources(JsonNode? value, List<JsonObject> merged)
    {
        switch (value)
        {
            case JsonObject obj:
                merged.Add(obj);
                break;
            case JsonArray list when list.All(item => item is JsonObject):
                merged.AddRange(list.Cast<JsonObject>());
                break;
            default:
                throw new ConfigurationException("yaml: map merge requires map or sequence of maps as the value");
        }
    }

    private string ReadKey()
    {
        var key = ReadNode(string.Empty);
        return key switch
        {
            null => "null",
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonValue v when v.TryGetValue(out bool b) => b ? "true" : "false",
            JsonValue v when v.TryGetValue(out long l) => l.ToString(CultureInfo.InvariantCulture),
            JsonValue v when v.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
            _ => throw new ConfigurationException("yaml: invalid map key: a mapping key must be a scalar"),
        };
    }

    private void Remember(AnchorName anchor, JsonNode? node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node?.DeepClone();
        }
    }

    private static JsonNode? ResolveScalar(Scalar scalar)
    {
        var text = scalar.Value;
        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific)
        {
            return ResolveTagged(scalar.Tag.Value, text);
        }

        return scalar.Style == ScalarStyle.Plain && !scalar.Tag.IsNonSpecific ? ResolvePlain(text) : JsonValue.Create(text);
    }

    private static JsonNode? ResolveTagged(string tag, string text)
    {
        const string Prefix = "tag:yaml.org,2002:";
        var shortTag = tag.StartsWith(Prefix, StringComparison.Ordinal) ? tag[Prefix.Length..] : tag;
        var resolved = ResolvePlain(text);
        return shortTag switch
        {
            "null" => null,
            "bool" when resolved is JsonValue v && v.TryGetValue(out bool _) => resolved,
            "int" when resolved is JsonValue v && v.TryGetValue(out long _) => resolved,
            "float" when resolved is JsonValue v && (v.TryGetValue(out double _) || v.TryGetValue(out long _)) => resolved,
            "bool" or "int" or "float" =>
                throw new ConfigurationException($"yaml: cannot decode !!str `{text}` as a !!{shortTag}"),
            _ => JsonValue.Create(text),
        };
    }

    /// <summary>go-yaml v2's resolution of an untagged plain scalar.</summary>
    internal static JsonNode? ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return JsonValue.Create(double.PositiveInfinity);
            case "-.inf" or "-.Inf" or "-.INF":
                return JsonValue.Create(double.NegativeInfinity);
            case ".nan" or ".NaN" or ".NAN":
                return JsonValue.Create(double.NaN);
        }

        var first = text[0];
        if (!(char.IsAsciiDigit(first) || first is '+' or '-' or '.'))
        {
            return JsonValue.Create(text);
        }

        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (GoInteger.TryParse(plain, 64, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (YamlFloat().IsMatch(plain) &&
            double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex YamlFloat();
}
