using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using KubeProxy.ApiServer.Resources;

namespace KubeProxy.ApiServer.Storage;

/// <summary>
/// Turns a test's KubernetesClient object into the stored wire form, doing what the real server does on write:
/// fill <c>kind</c>/<c>apiVersion</c>, default the namespace, keep the uid across updates, stamp the resourceVersion.
/// </summary>
internal static class ObjectSerializer
{
    public static string KeyOf(ResourceKind kind, string? ns, string name) => kind.Namespaced ? ns + "/" + name : name;

    public static (string? Namespace, string Name) IdentityOf(ResourceKind kind, IKubernetesObject<V1ObjectMeta> obj)
    {
        var name = obj.Metadata?.Name;
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("object has no metadata.name");
        var ns = kind.Namespaced ? (string.IsNullOrEmpty(obj.Metadata!.NamespaceProperty) ? "default" : obj.Metadata.NamespaceProperty) : null;
        return (ns, name);
    }

    public static StoredObject Store(ResourceKind kind, IKubernetesObject<V1ObjectMeta> obj, long resourceVersion,
        StoredObject? previous, DateTimeOffset now)
    {
        var (ns, name) = IdentityOf(kind, obj);
        var source = JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();
        var wire = new JsonObject
        {
            ["kind"] = kind.Kind,
            ["apiVersion"] = kind.ApiVersion,
        };
        foreach (var (key, value) in source.ToList())
        {
            if (key is "kind" or "apiVersion") continue;
            source.Remove(key);
            wire[key] = value;
        }
        var metadata = wire["metadata"] as JsonObject ?? [];
        wire["metadata"] = metadata;
        if (ns is null) metadata.Remove("namespace");
        else metadata["namespace"] = ns;
        var uid = previous?.Uid ?? (metadata["uid"]?.GetValue<string>() is { Length: > 0 } given ? given : Guid.NewGuid().ToString());
        metadata["uid"] = uid;
        metadata["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        metadata["creationTimestamp"] ??= now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var labels = obj.Metadata!.Labels is { } l ? l.ToImmutableDictionary() : ImmutableDictionary<string, string>.Empty;
        return new StoredObject(KeyOf(kind, ns, name), ns, name, labels, resourceVersion, uid, wire.ToJsonString());
    }

    /// <summary>The object as the DELETED event carries it: its last state at the deletion's resourceVersion.</summary>
    public static StoredObject Tombstone(StoredObject last, long resourceVersion)
    {
        var wire = JsonNode.Parse(last.Json)!.AsObject();
        wire["metadata"]!["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        return last with { ResourceVersion = resourceVersion, Json = wire.ToJsonString() };
    }
}
