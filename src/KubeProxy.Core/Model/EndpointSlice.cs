using System.Net;

namespace KubeProxy.Core.Model;

/// <summary>
/// A validated, typed view of a discovery.k8s.io/v1 EndpointSlice of address type IPv4 or IPv6 (FQDN slices and slices
/// without the <c>kubernetes.io/service-name</c> label never get this far).
/// </summary>
public sealed record EndpointSlice
{
    public required ObjectName Name { get; init; }

    /// <summary>The owning Service, from the <c>kubernetes.io/service-name</c> label, in the slice's namespace.</summary>
    public required ObjectName Service { get; init; }

    public required IPFamily AddressType { get; init; }

    public EquatableArray<EndpointPort> Ports { get; init; } = EquatableArray<EndpointPort>.Empty;

    public EquatableArray<Endpoint> Endpoints { get; init; } = EquatableArray<Endpoint>.Empty;

    /// <summary>From the <c>endpoints.kubernetes.io/last-change-trigger-time</c> annotation, for the programming-latency metric.</summary>
    public DateTimeOffset? LastChangeTriggerTime { get; init; }

    public string Origin { get; init; } = "";
}

/// <summary>A slice port; <see cref="Port"/> is null when the API object had none (such ports are ignored).</summary>
public sealed record EndpointPort(string Name, Protocol Protocol, int? Port);

/// <summary>
/// One endpoint. Conditions keep the API's three-valued meaning (null = unknown) because upstream reads them as
/// ready = null||true, serving = null||true, terminating = !null&amp;&amp;true.
/// </summary>
public sealed record Endpoint
{
    // The first address apart from the rest: kube-proxy uses only the first (as upstream; the API calls them
    // fungible), and almost every endpoint has just one, which then costs no array (3.7 MiB at 110,000 endpoints).
    private readonly IPAddress? _firstAddress;
    private readonly EquatableArray<IPAddress> _moreAddresses;

    /// <summary>The endpoint's addresses, as the API gave them (built on each read: the sync path reads
    /// <see cref="FirstAddress"/>).</summary>
    public required EquatableArray<IPAddress> Addresses
    {
        get => _firstAddress is null ? EquatableArray<IPAddress>.Empty : new([_firstAddress, .. _moreAddresses]);
        init
        {
            _firstAddress = value.IsEmpty ? null : value[0];
            _moreAddresses = value.Count > 1 ? new(value.AsImmutableArray()[1..]) : EquatableArray<IPAddress>.Empty;
        }
    }

    /// <summary>The address kube-proxy uses; null when there is none.</summary>
    public IPAddress? FirstAddress => _firstAddress;

    public bool? Ready { get; init; }

    public bool? Serving { get; init; }

    public bool? Terminating { get; init; }

    public string? NodeName { get; init; }

    public string? Zone { get; init; }

    public EquatableArray<string> ZoneHints { get; init; } = EquatableArray<string>.Empty;

    public EquatableArray<string> NodeHints { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Hints present at all (<c>hints: {}</c> is not the same as no hints for forZones, so keep both).</summary>
    public bool HasZoneHints => ZoneHints.Count > 0;

    public bool HasNodeHints => NodeHints.Count > 0;
}
