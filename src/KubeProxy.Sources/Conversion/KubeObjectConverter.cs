using System.Collections.Immutable;
using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;

namespace KubeProxy.Sources.Conversion;

/// <summary>
/// Turns KubernetesClient API objects into the core's typed views, validating them the way the API server would.
/// Shared by the manifest source and the Kubernetes API source so that both accept and reject the same objects.
/// A rejected object comes back with one human-readable reason; the caller logs it with the object's name.
/// </summary>
/// <remarks>
/// The rule is "reject what the API server rejects, and no more" (design notes, section 10): objects read from a
/// cluster have already passed that validation, and anything stricter here would silently drop a Service that
/// upstream kube-proxy serves. Fields that the API server only allows for some Service types but that kube-proxy
/// simply ignores elsewhere (externalTrafficPolicy, healthCheckNodePort, loadBalancerSourceRanges) are checked for
/// syntax and passed on; the core decides whether they apply. Defaults the API server would fill in (type,
/// protocol, policies, affinity timeout, conditions) are applied here. Every string that reaches the model (names,
/// label keys and values, zones from hints) has been checked against the API server's syntax, because names end up
/// in log lines and rule comments.
/// </remarks>
public static partial class KubeObjectConverter
{
    private const string MetadataName = "metadata.name";
    private const string MetadataNamespace = "metadata.namespace";
    private const string MetadataLabels = "metadata.labels";

    /// <summary>Namespaces, port names, node names, zones and label keys repeat across thousands of objects; the
    /// model keeps one copy of each (bounded, so unique names from the API cannot grow it without limit).</summary>
    private static SharedNames Shared => SharedNames.Shared;

    private static string ValidName(V1ObjectMeta? metadata, Func<string, string?> rule)
    {
        var name = metadata?.Name;
        if (string.IsNullOrEmpty(name)) throw FieldError.Required(MetadataName, "name or generateName is required");
        if (rule(name) is { } detail) throw FieldError.Invalid(MetadataName, name, detail);
        return name;
    }

    /// <summary>The caller (a source) fills in a missing namespace; here it is required, as on the API server.</summary>
    private static string ValidNamespace(V1ObjectMeta metadata)
    {
        var ns = metadata.NamespaceProperty;
        if (string.IsNullOrEmpty(ns)) throw FieldError.Required(MetadataNamespace);
        if (NameRules.Dns1123Label(ns) is { } detail) throw FieldError.Invalid(MetadataNamespace, ns, detail);
        return Shared.Get(ns);
    }

    private static ImmutableSortedDictionary<string, string> ValidLabels(IDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0) return ImmutableSortedDictionary<string, string>.Empty;
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, rawValue) in labels)
        {
            var value = rawValue ?? "";
            if (NameRules.QualifiedName(key) is { } keyError) throw FieldError.Invalid(MetadataLabels, key, keyError);
            if (NameRules.LabelValue(value) is { } valueError) throw FieldError.Invalid(MetadataLabels, value, valueError);
            // Keys repeat (app, kubernetes.io/...); values are mostly per object, so they are not worth a pool slot.
            builder[Shared.Get(key)] = value;
        }
        return builder.ToImmutable();
    }

    private static bool HasLabel(V1ObjectMeta? metadata, string key) =>
        metadata?.Labels is { } labels && labels.ContainsKey(key);

    private static IPNetwork ValidCidr(string? text, string path)
    {
        if (!IPText.TryParseCidr(text, out var network)) throw FieldError.Invalid(path, text ?? "", IPText.InvalidCidrDetail);
        return network;
    }
}
