namespace KubeProxy.Linux.Netlink;

/// <summary>One message inside a received datagram, viewed in place (nothing is copied).</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, NetlinkMessageFlags flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public NetlinkMessageFlags Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    /// <summary>Everything after the 16-byte nlmsghdr.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The attributes after a family header of <paramref name="familyHeaderSize"/> bytes (4 for nfgenmsg).</summary>
    public NetlinkAttributeReader Attributes(int familyHeaderSize)
    {
        var skip = NetlinkLayout.Align(familyHeaderSize);
        if (Payload.Length < skip) throw new InvalidDataException($"netlink message of type {Type} shorter than its family header");
        return new NetlinkAttributeReader(Payload[skip..]);
    }
}
