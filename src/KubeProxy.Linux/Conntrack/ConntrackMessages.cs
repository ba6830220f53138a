using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>Encodes ctnetlink requests and decodes dumped entries, in place.</summary>
internal static class ConntrackMessages
{
    public static byte FamilyOf(IPFamily family) => family == IPFamily.IPv6 ? Ctnetlink.AfInet6 : Ctnetlink.AfInet;

    /// <summary>
    /// IPCTNL_MSG_CT_GET with NLM_F_DUMP. The family goes in nfgenmsg (the kernel filters on it); a protocol adds a
    /// CTA_FILTER on the original tuple's protocol number so the kernel skips other protocols' entries instead of
    /// serialising them. Kernels before 5.10 ignore CTA_FILTER, which is why callers still check the protocol.
    /// </summary>
    public static void WriteDumpRequest(NetlinkMessageBuilder builder, IPFamily family, byte protocol)
    {
        builder.BeginMessage(Ctnetlink.TypeGet, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump);
        WriteFamilyHeader(builder, FamilyOf(family));
        if (protocol != 0)
        {
            var tuple = builder.BeginNested(Ctnetlink.TupleOrig);
            var proto = builder.BeginNested(Ctnetlink.TupleProto);
            builder.PutU8(Ctnetlink.ProtoNum, protocol);
            builder.EndNested(proto);
            builder.EndNested(tuple);
            var filter = builder.BeginNested(Ctnetlink.Filter);
            builder.PutU32(Ctnetlink.FilterOrigFlags, Ctnetlink.FilterFlagProtoNum);
            builder.EndNested(filter);
        }
        builder.EndMessage();
    }

    /// <summary>IPCTNL_MSG_CT_DELETE naming the entry by original tuple, zone and (when known) id.</summary>
    public static void WriteDelete(NetlinkMessageBuilder builder, in ConntrackEntry entry)
    {
        builder.BeginMessage(Ctnetlink.TypeDelete, NetlinkMessageFlags.Request);
        WriteFamilyHeader(builder, entry.IsIPv6 ? Ctnetlink.AfInet6 : Ctnetlink.AfInet);
        WriteTuple(builder, Ctnetlink.TupleOrig, entry.Protocol, entry.Original);
        if (entry.Zone != 0) builder.PutU16BigEndian(Ctnetlink.Zone, entry.Zone);
        if (entry.Id != 0) builder.PutU32BigEndian(Ctnetlink.Id, entry.Id);
        builder.EndMessage();
    }

    /// <summary>IPCTNL_MSG_CT_NEW with NLM_F_CREATE|NLM_F_EXCL: both tuples and a timeout are mandatory.</summary>
    public static void WriteCreate(NetlinkMessageBuilder builder, in ConntrackEntry entry, uint timeoutSeconds)
    {
        builder.BeginMessage(Ctnetlink.TypeNew, NetlinkMessageFlags.Request | NetlinkMessageFlags.Create | NetlinkMessageFlags.Excl);
        WriteFamilyHeader(builder, entry.IsIPv6 ? Ctnetlink.AfInet6 : Ctnetlink.AfInet);
        WriteTuple(builder, Ctnetlink.TupleOrig, entry.Protocol, entry.Original);
        WriteTuple(builder, Ctnetlink.TupleReply, entry.Protocol, entry.Reply);
        builder.PutU32BigEndian(Ctnetlink.Timeout, timeoutSeconds);
        if (entry.Zone != 0) builder.PutU16BigEndian(Ctnetlink.Zone, entry.Zone);
        if (entry.Mark != 0) builder.PutU32BigEndian(Ctnetlink.Mark, entry.Mark);
        // The kernel marks a created entry confirmed before applying CTA_STATUS and refuses (EBUSY) a status
        // that would clear that bit, so it is always included.
        if (entry.Status != 0) builder.PutU32BigEndian(Ctnetlink.Status, entry.Status | Ctnetlink.StatusConfirmed);
        if (entry.Protocol == IPProtocolNumber.Tcp)
        {
            // Without protocol info a created TCP entry has state NONE; ESTABLISHED is what a real flow would show.
            var info = builder.BeginNested(Ctnetlink.ProtoInfo);
            var tcp = builder.BeginNested(Ctnetlink.ProtoInfoTcp);
            builder.PutU8(Ctnetlink.ProtoInfoTcpState, Ctnetlink.TcpStateEstablished);
            builder.EndNested(tcp);
            builder.EndNested(info);
        }
        builder.EndMessage();
    }

    /// <summary>Decodes one dumped IPCTNL_MSG_CT_NEW message; false for other message types or entries without tuples.</summary>
    public static bool TryParseEntry(in NetlinkMessage message, out ConntrackEntry entry)
    {
        entry = default;
        if (message.Type != Ctnetlink.TypeNew) return false;
        ConntrackTuple original = default, reply = default;
        byte protocol = 0;
        ushort zone = 0;
        uint mark = 0, id = 0, status = 0, timeout = 0;
        var haveOriginal = false;
        var haveReply = false;
        foreach (var attribute in message.Attributes(Ctnetlink.FamilyHeaderSize))
        {
            switch (attribute.Type)
            {
                case Ctnetlink.TupleOrig:
                    haveOriginal = TryParseTuple(attribute.Nested, out original, out protocol, ref zone);
                    break;
                case Ctnetlink.TupleReply:
                    haveReply = TryParseTuple(attribute.Nested, out reply, out _, ref zone);
                    break;
                case Ctnetlink.Zone:
                    zone = attribute.GetU16BigEndian();
                    break;
                case Ctnetlink.Mark:
                    mark = attribute.GetU32BigEndian();
                    break;
                case Ctnetlink.Id:
                    id = attribute.GetU32BigEndian();
                    break;
                case Ctnetlink.Status:
                    status = attribute.GetU32BigEndian();
                    break;
                case Ctnetlink.Timeout:
                    timeout = attribute.GetU32BigEndian();
                    break;
            }
        }
        if (!haveOriginal || !haveReply) return false;
        entry = new ConntrackEntry
        {
            Protocol = protocol,
            Original = original,
            Reply = reply,
            Zone = zone,
            Mark = mark,
            Id = id,
            Status = status,
            TimeoutSeconds = timeout,
        };
        return true;
    }

    /// <summary>Decodes a CTA_TUPLE_* nest (also what a request carries; the fakes use it).</summary>
    internal static bool TryParseTuple(NetlinkAttributeReader attributes, out ConntrackTuple tuple, out byte protocol)
    {
        ushort zone = 0;
        return TryParseTuple(attributes, out tuple, out protocol, ref zone);
    }

    private static bool TryParseTuple(NetlinkAttributeReader attributes, out ConntrackTuple tuple, out byte protocol, ref ushort zone)
    {
        NetAddress source = default, destination = default;
        ushort sourcePort = 0, destinationPort = 0;
        protocol = 0;
        var haveAddresses = 0;
        foreach (var attribute in attributes)
        {
            switch (attribute.Type)
            {
                case Ctnetlink.TupleIP:
                    foreach (var ip in attribute.Nested)
                    {
                        switch (ip.Type)
                        {
                            case Ctnetlink.IPv4Src or Ctnetlink.IPv6Src:
                                source = ip.GetAddress();
                                haveAddresses++;
                                break;
                            case Ctnetlink.IPv4Dst or Ctnetlink.IPv6Dst:
                                destination = ip.GetAddress();
                                haveAddresses++;
                                break;
                        }
                    }
                    break;
                case Ctnetlink.TupleProto:
                    foreach (var proto in attribute.Nested)
                    {
                        switch (proto.Type)
                        {
                            case Ctnetlink.ProtoNum:
                                protocol = proto.GetU8();
                                break;
                            case Ctnetlink.ProtoSrcPort:
                                sourcePort = proto.GetU16BigEndian();
                                break;
                            case Ctnetlink.ProtoDstPort:
                                destinationPort = proto.GetU16BigEndian();
                                break;
                        }
                    }
                    break;
                case Ctnetlink.TupleZone:
                    zone = attribute.GetU16BigEndian();
                    break;
            }
        }
        tuple = new ConntrackTuple(source, destination, sourcePort, destinationPort);
        return haveAddresses == 2;
    }

    private static void WriteFamilyHeader(NetlinkMessageBuilder builder, byte family)
    {
        // struct nfgenmsg { u8 family; u8 version (NFNETLINK_V0); be16 res_id; }
        Span<byte> header = [family, 0, 0, 0];
        builder.PutHeader(header);
    }

    private static void WriteTuple(NetlinkMessageBuilder builder, ushort type, byte protocol, in ConntrackTuple tuple)
    {
        var nest = builder.BeginNested(type);
        var ip = builder.BeginNested(Ctnetlink.TupleIP);
        var v6 = tuple.Source.IsIPv6;
        builder.PutAddress(v6 ? Ctnetlink.IPv6Src : Ctnetlink.IPv4Src, tuple.Source);
        builder.PutAddress(v6 ? Ctnetlink.IPv6Dst : Ctnetlink.IPv4Dst, tuple.Destination);
        builder.EndNested(ip);
        var proto = builder.BeginNested(Ctnetlink.TupleProto);
        builder.PutU8(Ctnetlink.ProtoNum, protocol);
        builder.PutU16BigEndian(Ctnetlink.ProtoSrcPort, tuple.SourcePort);
        builder.PutU16BigEndian(Ctnetlink.ProtoDstPort, tuple.DestinationPort);
        builder.EndNested(proto);
        builder.EndNested(nest);
    }
}
