using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Core.Snapshot;

/// <summary>One endpoint of one Service port, as merged from all of the Service's slices (upstream BaseEndpointInfo).</summary>
public sealed record EndpointInfo
{
    public required IPAddress IP { get; init; }

    public required int Port { get; init; }

    /// <summary>On this node (endpoint nodeName equals the proxy's node name).</summary>
    public bool IsLocal { get; init; }

    public bool Ready { get; init; }

    public bool Serving { get; init; }

    public bool Terminating { get; init; }

    public EquatableArray<string> ZoneHints { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> NodeHints { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Set when the slice had a <c>hints</c> object with forZones (even empty) — upstream treats
    /// an endpoint without zone hints as "hints not usable".</summary>
    public bool HasZoneHints => ZoneHints.Count > 0;

    public bool HasNodeHints => NodeHints.Count > 0;

    /// <summary>"IP:port" (IPv6 in brackets): the dedup and sort key upstream uses.</summary>
    public string Key => IP.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{IP}]:{Port}" : $"{IP}:{Port}";

    public override string ToString() => Key;
}
