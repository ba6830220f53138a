using System.Text.Json;
using System.Text.Json.Nodes;
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
    public static List<ManifestDocument> Parse(string path, string text)
    {
        var result = new List<ManifestDocument>();
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) ParseJson(text, result);
            else ParseYaml(text, result);
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

    private static void ParseJson(string text, List<ManifestDocument> result)
    {
        var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        if (root is not JsonObject obj) throw new ManifestParseException("the top level is not an object");
        AddObject(obj, null, "$", _ => null, result);
    }

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
