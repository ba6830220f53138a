namespace KubeProxy.Sources.Manifests;

/// <summary>
/// One object found in a manifest file, before it is typed: enough to name it in a log line and to decide whether
/// kube-proxy reads its kind. <see cref="Deserialize{T}"/> turns it into the KubernetesClient model type.
/// </summary>
internal abstract class ManifestDocument
{
    public string ApiVersion { get; init; } = "";

    public string Kind { get; init; } = "";

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    /// <summary>Where the object starts in its file ("line 12"), for messages.</summary>
    public string Position { get; init; } = "";

    /// <summary>Throws (YamlException, JsonException, ...) when a field has the wrong shape.</summary>
    public abstract T Deserialize<T>()
        where T : class;

    /// <summary>namespace/name, or just name, or a placeholder: only for log lines.</summary>
    public string DisplayName =>
        string.IsNullOrEmpty(Name) ? "<unnamed>" : string.IsNullOrEmpty(Namespace) ? Name : $"{Namespace}/{Name}";
}
