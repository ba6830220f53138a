using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// Reads YAML documents straight into JSON nodes, the way kubectl reads manifests (YAML → JSON → typed object): plain
/// scalars that look like numbers, booleans or null become those; everything else, and every quoted scalar, is a
/// string. It works on YamlDotNet's event stream rather than its node model, which halves the cost of large files,
/// and it records the line each mapping starts on so that log lines can point into the file.
/// </summary>
internal sealed class YamlReader
{
    /// <summary>Aliases can make a small file expand enormously ("billion laughs"). Manifests rarely use aliases at
    /// all, so the nodes copied through them are capped; the rest of a file is bounded by its own size.</summary>
    private const int MaxAliasNodes = 100_000;

    /// <summary>Deeper than any Kubernetes object; stops stack exhaustion on hostile input.</summary>
    private const int MaxDepth = 100;

    private const string StringTag = "tag:yaml.org,2002:str";

    private readonly IParser _parser;
    private readonly Dictionary<string, (JsonNode? Node, int Size)> _anchors = new(StringComparer.Ordinal);
    private int _aliasBudget = MaxAliasNodes;

    private YamlReader(string text)
    {
        _parser = new Parser(new StringReader(text));
    }

    /// <summary>The line (1-based) on which each mapping of the documents starts.</summary>
    public Dictionary<JsonObject, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Every document's root (null for an empty document) and its first line. Throws YamlException or
    /// <see cref="ManifestParseException"/>.</summary>
    public static (List<(JsonNode? Root, int Line)> Documents, Dictionary<JsonObject, int> Lines) Read(string text)
    {
        var reader = new YamlReader(text);
        var documents = new List<(JsonNode?, int)>();
        reader._parser.Consume<StreamStart>();
        while (reader._parser.TryConsume<DocumentStart>(out _))
        {
            reader._anchors.Clear();
            var line = (int)reader._parser.Current!.Start.Line;
            documents.Add((reader.ReadNode(0), line));
            reader._parser.Consume<DocumentEnd>();
        }
        reader._parser.Consume<StreamEnd>();
        return (documents, reader.Lines);
    }

    private JsonNode? ReadNode(int depth)
    {
        if (depth > MaxDepth) throw Error($"nested deeper than {MaxDepth} levels");
        var current = _parser.Current ?? throw Error("unexpected end of input");
        switch (current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored)) throw Error($"unknown alias *{alias.Value}", alias);
                _aliasBudget -= anchored.Size;
                if (_aliasBudget < 0) throw Error($"aliases expand to more than {MaxAliasNodes} nodes (alias expansion bomb?)", alias);
                return anchored.Node?.DeepClone();
            case Scalar scalar:
                _parser.MoveNext();
                return Remember(scalar.Anchor, ScalarValue(scalar));
            case SequenceStart sequenceStart:
                _parser.MoveNext();
                var array = new JsonArray();
                while (!_parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(ReadNode(depth + 1));
                }
                return Remember(sequenceStart.Anchor, array);
            case MappingStart mappingStart:
                _parser.MoveNext();
                var obj = new JsonObject();
                Lines[obj] = (int)mappingStart.Start.Line;
                while (!_parser.TryConsume<MappingEnd>(out _))
                {
                    if (_parser.Current is not Scalar { Value: var key } keyEvent) throw Error("only scalar mapping keys are supported", _parser.Current);
                    // Merge keys are a YAML 1.1 extra that Kubernetes manifests do not use; refusing them beats
                    // silently ignoring a "<<" property.
                    if (key == "<<" && keyEvent.Style == ScalarStyle.Plain) throw Error("merge keys (<<) are not supported", keyEvent);
                    if (obj.ContainsKey(key)) throw Error($"duplicate key \"{key}\"", keyEvent);
                    _parser.MoveNext();
                    obj[key] = ReadNode(depth + 1);
                }
                return Remember(mappingStart.Anchor, obj);
            default:
                throw Error($"unexpected {current.GetType().Name}", current);
        }
    }

    private JsonNode? Remember(AnchorName anchor, JsonNode? node)
    {
        if (!anchor.IsEmpty) _anchors[anchor.Value] = (node, Count(node));
        return node;
    }

    private JsonNode? ScalarValue(Scalar scalar)
    {
        var text = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag)) return JsonValue.Create(text);
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
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++) digits++;
        if (i < text.Length && text[i] == '.')
        {
            for (i++; i < text.Length && char.IsAsciiDigit(text[i]); i++) digits++;
        }
        if (digits == 0) return false;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '-' or '+') i++;
            var exponent = 0;
            for (; i < text.Length && char.IsAsciiDigit(text[i]); i++) exponent++;
            if (exponent == 0) return false;
        }
        return i == text.Length;
    }

    private static int Count(JsonNode? node) => node switch
    {
        JsonObject obj => 1 + obj.Sum(p => Count(p.Value)),
        JsonArray array => 1 + array.Sum(Count),
        _ => 1,
    };

    private ManifestParseException Error(string message, ParsingEvent? at = null) =>
        new($"line {(at ?? _parser.Current)?.Start.Line}: {message}");
}
