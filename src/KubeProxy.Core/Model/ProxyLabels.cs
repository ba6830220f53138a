namespace KubeProxy.Core.Model;

/// <summary>Well-known labels and annotations kube-proxy reads.</summary>
public static class ProxyLabels
{
    /// <summary>Any value hides the Service (and its slices) from the default kube-proxy.</summary>
    public const string ServiceProxyName = "service.kubernetes.io/service-proxy-name";

    /// <summary>Set by the EndpointSlice controller on slices of headless Services; such slices are ignored.</summary>
    public const string Headless = "service.kubernetes.io/headless";

    /// <summary>Names the Service an EndpointSlice belongs to; slices without it are ignored.</summary>
    public const string ServiceName = "kubernetes.io/service-name";

    public const string LastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>The list selector upstream's informers use, and so do ours.</summary>
    public const string InformerLabelSelector = "!" + ServiceProxyName + ",!" + Headless;
}
