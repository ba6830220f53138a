namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// A conntrack entry as the cleanup needs it: a small value type filled in place from a dump message, so a dump of
/// any size allocates nothing per entry.
/// </summary>
public readonly record struct ConntrackEntry
{
    /// <summary>IANA protocol number (<see cref="IPProtocolNumber"/>).</summary>
    public byte Protocol { get; init; }

    /// <summary>The tuple of the first packet: client to service address (before DNAT).</summary>
    public ConntrackTuple Original { get; init; }

    /// <summary>The tuple replies match: its source is the endpoint the connection was DNATed to.</summary>
    public ConntrackTuple Reply { get; init; }

    public ushort Zone { get; init; }

    public uint Mark { get; init; }

    /// <summary>The kernel's id for the entry (CTA_ID); 0 when unknown. A delete that names it spares a newer entry with the same tuple.</summary>
    public uint Id { get; init; }

    public uint Status { get; init; }

    /// <summary>Seconds left, as the dump reported it.</summary>
    public uint TimeoutSeconds { get; init; }

    public bool IsIPv6 => Original.Source.IsIPv6;

    /// <summary>The entry as <c>conntrack -L</c> prints it (original tuple, then reply tuple).</summary>
    public override string ToString() =>
        $"{IPProtocolNumber.Name(Protocol)} {Original} {Reply}" + (Zone != 0 ? $" zone={Zone}" : "") + (Mark != 0 ? $" mark={Mark}" : "");
}
