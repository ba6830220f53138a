namespace KubeProxy.Core.Sources;

/// <summary>A source of Services, EndpointSlices, this Node and ServiceCIDRs.</summary>
public interface IProxySource
{
    /// <summary>Delivers the current state and then every change until cancelled.</summary>
    Task RunAsync(IProxyEventSink sink, CancellationToken cancellationToken);
}
