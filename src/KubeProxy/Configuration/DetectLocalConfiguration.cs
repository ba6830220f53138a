namespace KubeProxy.Configuration;

/// <summary><c>detectLocal</c>: the settings behind the BridgeInterface and InterfaceNamePrefix local modes.</summary>
public sealed class DetectLocalConfiguration
{
    /// <summary><c>bridgeInterface</c>: traffic from this bridge is local (detectLocalMode BridgeInterface).</summary>
    public string BridgeInterface { get; set; } = string.Empty;

    /// <summary><c>interfaceNamePrefix</c>: traffic from interfaces with this prefix is local.</summary>
    public string InterfaceNamePrefix { get; set; } = string.Empty;

    public DetectLocalConfiguration Clone() => (DetectLocalConfiguration)MemberwiseClone();
}
