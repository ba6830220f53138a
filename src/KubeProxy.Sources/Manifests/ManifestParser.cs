using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// Splits a manifest file into objects: multi-document YAML, JSON, and lists (<c>kind: List</c> or a typed list such
/// as <c>ServiceList</c>) expanded into their items. Typing is left to KubernetesClient's <see cref="KubernetesJson"/>
/// (it knows the model types and their converters), one object at a time. KubernetesYaml is not used:
/// <c>LoadAllFromString</c> throws on the first kind it does not know, so it could not skip a Deployment next to a
/// Service, and its first call costs seconds (it registers every model type with YamlDotNet); YAML is turned into
/// JSON instead, as kubectl does.
/// </summary>
internal static class ManifestParser
{
    /// <summary>Parses the text; throws <see cref="ManifestParseException"/> when the file is not valid YAML/JSON.</summary>
    public static List<ManifestDocument> Parse(string path, string text)
    {
        var json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var result = new List<ManifestDocument>();
        try
        {
            if (json) ParseJson(text, result);
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
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            switch (root)
            {
                case YamlMappingNode map:
                    AddYamlObject(map, null, result);
                    break;
                // An empty document ("---" at the end, or a file of comments) holds nothing.
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    throw new ManifestParseException($"document {i + 1} (line {root.Start.Line}) is not an object");
            }
        }
    }

    private static void AddYamlObject(YamlMappingNode map, (string ApiVersion, string Kind)? inherited, List<ManifestDocument> result)
    {
        var apiVersion = Scalar(map, "apiVersion") ?? inherited?.ApiVersion ?? "";
        var kind = Scalar(map, "kind") ?? inherited?.Kind ?? "";
        if (IsList(kind) && map.Children.TryGetValue(new YamlScalarNode("items"), out var items))
        {
            if (items is YamlSequenceNode sequence)
            {
                var itemDefaults = ItemDefaults(apiVersion, kind);
                foreach (var item in sequence)
                {
                    if (item is not YamlMappingNode itemMap)
                        throw new ManifestParseException($"line {item.Start.Line}: a list item is not an object");
                    AddYamlObject(itemMap, itemDefaults, result);
                }
            }
            return;
        }

        var metadata = map.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) ? m as YamlMappingNode : null;
        result.Add(new JsonManifestDocument((JsonObject)YamlToJson.Convert(map)!)
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Name = metadata is null ? null : Scalar(metadata, "name"),
            Namespace = metadata is null ? null : Scalar(metadata, "namespace"),
            Position = $"line {map.Start.Line}",
        });
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode scalar ? scalar.Value : null;

    private static void ParseJson(string text, List<ManifestDocument> result)
    {
        var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        if (root is not JsonObject obj) throw new ManifestParseException("the top level is not an object");
        AddJsonObject(obj, null, "$", result);
    }

    private static void AddJsonObject(JsonObject obj, (string ApiVersion, string Kind)? inherited, string position, List<ManifestDocument> result)
    {
        var apiVersion = JsonString(obj, "apiVersion") ?? inherited?.ApiVersion ?? "";
        var kind = JsonString(obj, "kind") ?? inherited?.Kind ?? "";
        if (IsList(kind) && obj.TryGetPropertyValue("items", out var items))
        {
            if (items is JsonArray array)
            {
                var itemDefaults = ItemDefaults(apiVersion, kind);
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not JsonObject item) throw new ManifestParseException($"{position}.items[{i}] is not an object");
                    AddJsonObject(item, itemDefaults, $"{position}.items[{i}]", result);
                }
            }
            return;
        }

        var metadata = obj["metadata"] as JsonObject;
        result.Add(new JsonManifestDocument(obj)
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Name = metadata is null ? null : JsonString(metadata, "name"),
            Namespace = metadata is null ? null : JsonString(metadata, "namespace"),
            Position = position,
        });
    }

    private static string? JsonString(JsonObject obj, string key) =>
        obj[key] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    /// <summary><c>kind: List</c> (kubectl's generic list) or a typed list such as ServiceList.</summary>
    private static bool IsList(string kind) => kind.EndsWith("List", StringComparison.Ordinal);

    /// <summary>Items of a typed list may leave out apiVersion and kind; those of a generic List carry their own.</summary>
    private static (string, string)? ItemDefaults(string apiVersion, string kind) =>
        kind == "List" ? null : (apiVersion, kind[..^"List".Length]);

    private sealed class JsonManifestDocument(JsonObject node) : ManifestDocument
    {
        public override T Deserialize<T>() =>
            KubernetesJson.Deserialize<T>(node.ToJsonString()) ?? throw new JsonException("the object is null");
    }
}

/// <summary>The file as a whole is not valid YAML or JSON.</summary>
internal sealed class ManifestParseException(string message, Exception? inner = null) : Exception(message, inner);
