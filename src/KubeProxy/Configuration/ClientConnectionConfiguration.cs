namespace KubeProxy.Configuration;

/// <summary>
/// <c>clientConnection</c>: how to reach the API server (component-base ClientConnectionConfiguration, v1alpha1).
/// </summary>
public sealed class ClientConnectionConfiguration
{
    /// <summary><c>kubeconfig</c>: path to a kubeconfig file; empty means in-cluster config (unless --master).</summary>
    public string Kubeconfig { get; set; } = string.Empty;

    /// <summary><c>acceptContentTypes</c>: the Accept header sent to the API server.</summary>
    public string AcceptContentTypes { get; set; } = string.Empty;

    /// <summary><c>contentType</c>: the content type of requests sent to the API server.</summary>
    public string ContentType { get; set; } = string.Empty;

    /// <summary><c>qps</c>: client-side request rate limit.</summary>
    public float Qps { get; set; }

    /// <summary><c>burst</c>: extra requests allowed above <see cref="Qps"/> in a burst.</summary>
    public int Burst { get; set; }

    public ClientConnectionConfiguration Clone() => (ClientConnectionConfiguration)MemberwiseClone();
}
