namespace KubeProxy.Linux.Netlink;

/// <summary>The two flag bits carried in nla_type, and the alignment rules shared by messages and attributes.</summary>
public static class NetlinkLayout
{
    public const ushort Nested = 0x8000;
    public const ushort NetByteOrder = 0x4000;
    public const ushort TypeMask = 0x3fff;

    /// <summary>sizeof(struct nlmsghdr).</summary>
    public const int MessageHeaderSize = 16;

    /// <summary>sizeof(struct nlattr).</summary>
    public const int AttributeHeaderSize = 4;

    /// <summary>Extended-ACK attribute carrying the kernel's error text (NLMSGERR_ATTR_MSG).</summary>
    public const ushort ErrorAttributeMessage = 1;

    public static int Align(int length) => (length + 3) & ~3;
}
