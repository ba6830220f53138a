using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Nftables;

/// <summary>Settings of one family's nftables data plane, already validated by the host.</summary>
public sealed record NftablesOptions
{
    public required IPFamily Family { get; init; }

    public bool MasqueradeAll { get; init; }

    /// <summary>The fwmark bit used to flag packets for masquerading (default 14 → 0x4000).</summary>
    public int MasqueradeBit { get; init; } = 14;

    public LocalDetectMode LocalDetectMode { get; init; } = LocalDetectMode.ClusterCIDR;

    /// <summary>ClusterCIDR mode: the cluster's pod CIDRs of this family.</summary>
    public IReadOnlyList<IPNetwork> ClusterCidrs { get; init; } = [];

    public string? BridgeInterface { get; init; }

    public string? InterfaceNamePrefix { get; init; }

    /// <summary>nodePortAddresses CIDRs of this family; empty with <see cref="NodePortPrimary"/> false means "all local addresses".</summary>
    public IReadOnlyList<IPNetwork> NodePortCidrs { get; init; } = [];

    /// <summary>nodePortAddresses "primary": the node's primary IP of this family.</summary>
    public bool NodePortPrimary { get; init; } = true;

    /// <summary>Stale chains are flushed at once and deleted no sooner than this (kernels before 6.2 free them slowly).</summary>
    public TimeSpan StaleChainDeleteDelay { get; init; } = TimeSpan.FromSeconds(1);

    public string TableName { get; init; } = "kube-proxy";

    /// <summary>How many tables the Services are spread over (<see cref="Rendering.ServiceTables"/>); 1 is the
    /// single-table layout. The host uses <see cref="DefaultServiceTables"/>.</summary>
    public int ServiceTables { get; init; } = 1;

    /// <summary>What kube-proxy runs with: at 10,000 Services a partial sync then validates about 600 Services' chains
    /// instead of all of them, and a new connection passes 16 NAT dispatch chains (hash lookups) instead of one.</summary>
    public const int DefaultServiceTables = 16;

    /// <summary>Keep the last applied script in <see cref="NftablesDataPlane.LastScript"/> (tests and tools only: at
    /// scale a full sync's script is tens of megabytes).</summary>
    public bool KeepLastScript { get; init; }

    public uint MasqueradeMark => 1u << MasqueradeBit;
}
