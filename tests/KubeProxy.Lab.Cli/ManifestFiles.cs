using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeProxy.Lab.Cli;

/// <summary>
/// The Kubernetes objects of a manifest directory (*.yaml, *.yml, *.json; a JSON <c>kind: List</c> is unpacked),
/// for storing in the API test server. A file that does not parse is reported and skipped.
/// </summary>
internal static class ManifestFiles
{
    public static List<IKubernetesObject<V1ObjectMeta>> Load(string directory, Action<string> warn)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(file);
            if (extension is not (".yaml" or ".yml" or ".json"))
            {
                continue;
            }

            try
            {
                var text = File.ReadAllText(file);
                var documents = extension == ".json" ? JsonDocuments(text) : [text];
                foreach (var document in documents)
                {
                    objects.AddRange(KubernetesYaml.LoadAllFromString(document).OfType<IKubernetesObject<V1ObjectMeta>>());
                }
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
            {
                warn($"{file}: skipped: {e.Message}");
            }
        }

        return objects;
    }

    // JSON is YAML, so each item is handed to the YAML loader as its JSON text.
    private static IEnumerable<string> JsonDocuments(string text)
    {
        var root = JsonNode.Parse(text) ?? throw new InvalidOperationException("empty JSON document");
        return root["kind"]?.GetValue<string>() == "List" && root["items"] is JsonArray items
            ? items.Where(i => i is not null).Select(i => i!.ToJsonString())
            : [root.ToJsonString()];
    }
}
