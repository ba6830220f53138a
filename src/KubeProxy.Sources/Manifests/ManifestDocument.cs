using System.Text.Json.Nodes;
using k8s;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// One object found in a manifest file, before it is typed: enough to name it in a log line and to decide whether
/// kube-proxy reads its kind. <see cref="Deserialize{T}"/> turns it into the KubernetesClient model type.
/// </summary>
internal sealed class ManifestDocument(JsonObject json)
{
    public string ApiVersion { get; init; } = "";

    public string Kind { get; init; } = "";

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    /// <summary>Where the object starts in its file ("line 12", or a JSON path), for messages.</summary>
    public string Position { get; init; } = "";

    /// <summary>namespace/name, or just name, or a placeholder: only for log lines.</summary>
    public string DisplayName =>
        string.IsNullOrEmpty(Name) ? "<unnamed>" : string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}/{Name}";

    /// <summary>KubernetesClient's own JSON settings know the model types and their converters (IntOrString,
    /// quantities, timestamps). Throws JsonException, with the path of the bad field, when a field has the wrong type.</summary>
    public T Deserialize<T>()
        where T : class =>
        KubernetesJson.Deserialize<T>(json) ?? throw new System.Text.Json.JsonException("the object is null");
}
