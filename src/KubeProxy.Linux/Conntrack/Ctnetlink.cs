namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// Numbers from the kernel's uapi nfnetlink.h and nfnetlink_conntrack.h. A ctnetlink message type is the
/// subsystem in the high byte and the operation in the low byte; every message starts with a 4-byte nfgenmsg.
/// </summary>
internal static class Ctnetlink
{
    public const byte SubsystemConntrack = 1;
    public const int FamilyHeaderSize = 4;

    public const byte MsgNew = 0;
    public const byte MsgGet = 1;
    public const byte MsgDelete = 2;

    public const ushort TypeNew = (SubsystemConntrack << 8) | MsgNew;
    public const ushort TypeGet = (SubsystemConntrack << 8) | MsgGet;
    public const ushort TypeDelete = (SubsystemConntrack << 8) | MsgDelete;

    public const byte AfInet = 2;
    public const byte AfInet6 = 10;

    // enum ctattr_type
    public const ushort TupleOrig = 1;
    public const ushort TupleReply = 2;
    public const ushort Status = 3;
    public const ushort ProtoInfo = 4;
    public const ushort Timeout = 7;
    public const ushort Mark = 8;
    public const ushort Id = 12;
    public const ushort Zone = 18;
    public const ushort Filter = 25;

    // enum ctattr_tuple
    public const ushort TupleIP = 1;
    public const ushort TupleProto = 2;
    public const ushort TupleZone = 3;

    // enum ctattr_ip
    public const ushort IPv4Src = 1;
    public const ushort IPv4Dst = 2;
    public const ushort IPv6Src = 3;
    public const ushort IPv6Dst = 4;

    // enum ctattr_l4proto
    public const ushort ProtoNum = 1;
    public const ushort ProtoSrcPort = 2;
    public const ushort ProtoDstPort = 3;

    // enum ctattr_protoinfo / ctattr_protoinfo_tcp
    public const ushort ProtoInfoTcp = 1;
    public const ushort ProtoInfoTcpState = 1;
    public const byte TcpStateEstablished = 3;

    // enum ctattr_filter and its flag bits (kernel 5.10+)
    public const ushort FilterOrigFlags = 1;
    public const ushort FilterReplyFlags = 2;
    public const uint FilterFlagProtoNum = 1 << 3;

    // enum ip_conntrack_status bits
    public const uint StatusSeenReply = 1 << 1;
    public const uint StatusAssured = 1 << 2;
    public const uint StatusConfirmed = 1 << 3;
}
