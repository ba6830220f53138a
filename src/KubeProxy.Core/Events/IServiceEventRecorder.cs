using KubeProxy.Core.Model;

namespace KubeProxy.Core.Events;

/// <summary>
/// Kubernetes events kube-proxy records about Services (upstream's EventRecorder). Called from the sync path, so an
/// implementation must return at once and never throw: recording is best effort.
/// </summary>
public interface IServiceEventRecorder
{
    /// <summary>
    /// A Warning <c>KubeProxyIncorrectIPVersion</c> on <paramref name="service"/>: <paramref name="value"/> in
    /// <paramref name="field"/> (e.g. "endpointslice") is of an IP family this proxier cannot use.
    /// </summary>
    void IncorrectIPVersion(ObjectName service, string field, string value);
}
