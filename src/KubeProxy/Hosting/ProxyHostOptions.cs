using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Nftables;

namespace KubeProxy.Hosting;

/// <summary>Everything the running proxy needs, derived from flags and the config file by the CLI layer.</summary>
public sealed record ProxyHostOptions
{
    public required string Mode { get; init; }

    public required string NodeName { get; init; }

    public string? ManifestsDirectory { get; init; }

    public string? Kubeconfig { get; init; }

    public string? Master { get; init; }

    public float KubeApiQps { get; init; } = 5;

    public int KubeApiBurst { get; init; } = 10;

    /// <summary>Null disables the server.</summary>
    public IPEndPoint? HealthzBindAddress { get; init; } = new(IPAddress.Any, 10256);

    public IPEndPoint? MetricsBindAddress { get; init; } = new(IPAddress.Loopback, 10249);

    public bool BindAddressHardFail { get; init; }

    /// <summary>--bind-address when not 0.0.0.0/::: overrides the node's primary IP (and so the primary family).</summary>
    public IPAddress? BindAddress { get; init; }

    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MinSyncPeriod { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ConfigSyncPeriod { get; init; } = TimeSpan.FromMinutes(15);

    public bool MasqueradeAll { get; init; }

    public int MasqueradeBit { get; init; } = 14;

    public LocalDetectMode LocalDetectMode { get; init; } = LocalDetectMode.ClusterCIDR;

    public IReadOnlyList<IPNetwork> ClusterCidrs { get; init; } = [];

    public string? BridgeInterface { get; init; }

    public string? InterfaceNamePrefix { get; init; }

    public IReadOnlyList<IPNetwork> NodePortCidrs { get; init; } = [];

    public bool NodePortPrimary { get; init; } = true;

    public IReadOnlyDictionary<string, bool> FeatureGates { get; init; } = new Dictionary<string, bool>();

    /// <summary>The effective configuration as JSON, served at /configz.</summary>
    public string ConfigJson { get; init; } = "{}";

    /// <summary>Families to run, primary first (decided from node IPs or bindAddress).</summary>
    public IReadOnlyList<IPFamily>? Families { get; init; }
}
