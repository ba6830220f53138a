namespace KubeProxy.Configuration;

/// <summary>
/// How to reach the API server. With neither <see cref="Kubeconfig"/> nor <see cref="Master"/> the in-cluster
/// configuration is used; <see cref="Master"/> (the --master flag) overrides the kubeconfig's server.
/// </summary>
public sealed record ClientConnectionOptions(
    string Kubeconfig,
    string? Master,
    string AcceptContentTypes,
    string ContentType,
    float Qps,
    int Burst);
