namespace KubeProxy.Linux.Netlink;

/// <summary>The control message types every netlink family shares; family messages start at 0x10.</summary>
public static class NetlinkMessageType
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;
    public const ushort MinFamilyType = 0x10;
}
