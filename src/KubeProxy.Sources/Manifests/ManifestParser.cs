using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using YamlDotNet.Core;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// Splits a manifest file into objects: multi-document YAML, JSON, and lists (<c>kind: List</c> or a typed list such
/// as <c>ServiceList</c>) expanded into their items. YAML is read into JSON as kubectl does, and each object is typed
/// with KubernetesClient's <c>KubernetesJson</c>, one at a time. KubernetesYaml is not used: its
/// <c>LoadAllFromString</c> throws on the first kind it does not know, so it could not skip a Deployment next to a
/// Service, and its first call costs seconds (it registers every model type with YamlDotNet).
/// </summary>
internal static class ManifestParser
{
    /// <summary>Parses the text; throws <see cref="ManifestParseException"/> when the file is not valid YAML/JSON.</summary>
    public static List<ManifestDocument> Parse(string path, string text) => Parse(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Parses the file's bytes (UTF-8, with or without a byte order mark); throws
    /// <see cref="ManifestParseException"/> when the file is not valid YAML/JSON.</summary>
    public static List<ManifestDocument> Parse(string path, byte[] utf8)
    {
        var result = new List<ManifestDocument>();
        var text = utf8.AsSpan();
        if (text.StartsWith(Utf8Bom)) text = text[Utf8Bom.Length..];
        // The JSON reader throws InvalidOperationException on a string that is not UTF-8; decoding replaces such bytes
        // with U+FFFD instead, so a bad name fails validation for its own object only, as it did when files were
        // decoded first.
        if (!Utf8.IsValid(text)) text = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(text));
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) ParseJson(text, result);
            else ParseYaml(Encoding.UTF8.GetString(text), result);
        }
        catch (YamlException e)
        {
            throw new ManifestParseException($"line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new ManifestParseException(e.Message, e);
        }
        catch (ArgumentException e)
        {
            // JsonObject reports a duplicate property this way when it is first read.
            throw new ManifestParseException(e.Message, e);
        }
        return result;
    }

    private static void ParseYaml(string text, List<ManifestDocument> result)
    {
        var (documents, lines) = YamlReader.Read(text);
        for (var i = 0; i < documents.Count; i++)
        {
            var (root, line) = documents[i];
            switch (root)
            {
                case JsonObject obj:
                    AddObject(obj, null, $"line {line}", o => lines.TryGetValue(o, out var l) ? $"line {l}" : null, result);
                    break;
                // An empty document ("---" at the end, or a file of comments) holds nothing.
                case null:
                    break;
                default:
                    throw new ManifestParseException($"document {i + 1} (line {line}) is not an object");
            }
        }
    }

    /// <summary>
    /// The top-level object is read property by property, and a list's items one by one, so each JSON document the
    /// parser builds is one object's size. <c>JsonNode.Parse</c> of a whole file rents buffers of about twice the
    /// file's size from the shared array pool, which keeps them afterwards: 7 MiB of a kube-proxy reading 10,000
    /// Services from 1.8 MB files, for as long as it ran.
    /// </summary>
    private static void ParseJson(ReadOnlySpan<byte> utf8, List<ManifestDocument> result)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new ManifestParseException("the top level is not an object");
        var root = new JsonObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            // A repeated property throws ArgumentException here, as JsonObject does when it first reads one.
            root.Add(name, name == "items" && reader.TokenType == JsonTokenType.StartArray ? ReadArray(ref reader) : JsonNode.Parse(ref reader));
        }
        // Anything after the object but whitespace and comments makes the reader throw.
        reader.Read();
        AddObject(root, null, "$", _ => null, result);
    }

    private static JsonArray ReadArray(ref Utf8JsonReader reader)
    {
        var array = new JsonArray();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) array.Add(JsonNode.Parse(ref reader));
        return array;
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static void AddObject(
        JsonObject obj, (string ApiVersion, string Kind)? inherited, string position, Func<JsonObject, string?> lineOf,
        List<ManifestDocument> result)
    {
        var apiVersion = String(obj, "apiVersion") ?? inherited?.ApiVersion ?? "";
        var kind = String(obj, "kind") ?? inherited?.Kind ?? "";
        if (IsList(kind) && obj.TryGetPropertyValue("items", out var items))
        {
            if (items is null) return;
            if (items is not JsonArray array) throw new ManifestParseException($"{position}: items is not a list");
            var itemDefaults = ItemDefaults(apiVersion, kind);
            for (var i = 0; i < array.Count; i++)
            {
                var itemPosition = $"{position}.items[{i}]";
                if (array[i] is not JsonObject item) throw new ManifestParseException($"{itemPosition} is not an object");
                AddObject(item, itemDefaults, lineOf(item) ?? itemPosition, lineOf, result);
            }
            return;
        }

        var metadata = obj["metadata"] as JsonObject;
        result.Add(new ManifestDocument(obj)
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Name = metadata is null ? null : String(metadata, "name"),
            Namespace = metadata is null ? null : String(metadata, "namespace"),
            Position = position,
        });
    }

    private static string? String(JsonObject obj, string key) =>
        obj[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    /// <summary><c>kind: List</c> (kubectl's generic list) or a typed list such as ServiceList.</summary>
    private static bool IsList(string kind) => kind.EndsWith("List", StringComparison.Ordinal);

    /// <summary>Items of a typed list may leave out apiVersion and kind; those of a generic List carry their own.</summary>
    private static (string, string)? ItemDefaults(string apiVersion, string kind) =>
        kind == "List" ? null : (apiVersion, kind[..^"List".Length]);
}

/// <summary>The file as a whole is not valid YAML or JSON.</summary>
internal sealed class ManifestParseException(string message, Exception? inner = null) : Exception(message, inner);
