namespace KubeProxy.Configuration;

/// <summary><c>winkernel</c>: Windows HNS settings. Kept so Windows-oriented files load; unused on Linux.</summary>
public sealed class KubeProxyWinkernelConfiguration
{
    /// <summary><c>networkName</c>.</summary>
    public string NetworkName { get; set; } = string.Empty;

    /// <summary><c>sourceVip</c>.</summary>
    public string SourceVip { get; set; } = string.Empty;

    /// <summary><c>enableDSR</c>.</summary>
    public bool EnableDSR { get; set; }

    /// <summary><c>rootHnsEndpointName</c>.</summary>
    public string RootHnsEndpointName { get; set; } = string.Empty;

    /// <summary><c>forwardHealthCheckVip</c>.</summary>
    public bool ForwardHealthCheckVip { get; set; }

    public KubeProxyWinkernelConfiguration Clone() => (KubeProxyWinkernelConfiguration)MemberwiseClone();
}
