using System.Text.Json.Nodes;
using KubeProxy.Configuration;
using YamlDotNet.RepresentationModel;

namespace KubeProxy.Http;

/// <summary>The /configz body: the effective configuration under its API group key, as upstream serves it.</summary>
public static class Configz
{
    public static string Render(KubeProxyConfiguration configuration)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(KubeProxyConfigurationWriter.ToYaml(configuration)));
        var body = new JsonObject { ["kubeproxy.config.k8s.io"] = ToJson(yaml.Documents[0].RootNode) };
        return body.ToJsonString();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var v = scalar.Value;
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) return JsonValue.Create(v);
        if (v is null or "null" or "~") return null;
        if (v is "true" or "false") return JsonValue.Create(v == "true");
        if (long.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return JsonValue.Create(v);
    }
}
