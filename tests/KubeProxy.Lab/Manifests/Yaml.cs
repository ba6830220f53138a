using System.Text;

namespace KubeProxy.Lab.Manifests;

/// <summary>The little YAML the manifest builders need: every scalar double-quoted, so nothing is re-typed.</summary>
internal static class Yaml
{
    public static string Quote(string value) => $"\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";

    public static void Labels(StringBuilder yaml, string indent, IReadOnlyDictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            return;
        }

        yaml.Append(indent).AppendLine("labels:");
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            yaml.Append(indent).Append("  ").Append(Quote(key)).Append(": ").AppendLine(Quote(value));
        }
    }

    public static void List(StringBuilder yaml, string indent, string key, IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            return;
        }

        yaml.Append(indent).Append(key).AppendLine(":");
        foreach (var value in list)
        {
            yaml.Append(indent).Append("- ").AppendLine(Quote(value));
        }
    }
}
