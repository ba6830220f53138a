namespace KubeProxy.Nftables.Netlink;

// The numbers below are the kernel's uapi (include/uapi/linux/netfilter/nf_tables.h, nfnetlink.h). They are part of
// the stable ABI, so writing them out here is safe; only the few this data plane sends are listed.

/// <summary>nf_tables message types (NFT_MSG_*), to be combined with the subsystem in the netlink message type.</summary>
internal enum NfTablesMessage : ushort
{
    DelTable = 2,
    NewChain = 3,
    GetChain = 4,
    DelChain = 5,
    NewRule = 6,
    GetRule = 7,
    DelRule = 8,
    NewSet = 9,
    GetSet = 10,
    DelSet = 11,
    NewSetElem = 12,
    DelSetElem = 14,
}

/// <summary>Framing of an nfnetlink transaction: messages between BATCH_BEGIN and BATCH_END commit together.</summary>
internal static class NfNetlink
{
    public const ushort SubsystemNfTables = 10;
    public const ushort BatchBegin = 0x10;
    public const ushort BatchEnd = 0x11;

    public static ushort MessageType(NfTablesMessage message) => (ushort)((SubsystemNfTables << 8) | (ushort)message);
}

/// <summary>Attribute numbers, grouped by the object they belong to.</summary>
internal static class NftAttr
{
    public const ushort TableName = 1;
    public const ushort ChainTable = 1, ChainName = 3;
    public const ushort RuleTable = 1, RuleChain = 2, RuleExpressions = 4, RuleUserData = 7;
    public const ushort ListElem = 1;
    public const ushort ExprName = 1, ExprData = 2;
    public const ushort SetTable = 1, SetName = 2, SetFlags = 3, SetKeyType = 4, SetKeyLen = 5, SetId = 10, SetTimeout = 11, SetUserData = 13,
        SetDataType = 6, SetDataLen = 7, SetPolicy = 8, SetDesc = 9, SetGcInterval = 12;
    public const ushort SetElemListTable = 1, SetElemListSet = 2, SetElemListElements = 3;
    public const ushort SetElemKey = 1, SetElemData = 2, SetElemUserData = 6;
    public const ushort DataValue = 1, DataVerdict = 2;
    public const ushort VerdictCode = 1, VerdictChain = 2;

    public const ushort PayloadDreg = 1, PayloadBase = 2, PayloadOffset = 3, PayloadLen = 4;
    public const ushort CmpSreg = 1, CmpOp = 2, CmpData = 3;
    public const ushort BitwiseSreg = 1, BitwiseDreg = 2, BitwiseLen = 3, BitwiseMask = 4, BitwiseXor = 5;
    public const ushort MetaDreg = 1, MetaKey = 2;
    public const ushort LookupSet = 1, LookupSreg = 2, LookupDreg = 3, LookupFlags = 5;
    public const ushort ImmediateDreg = 1, ImmediateData = 2;
    public const ushort NumgenDreg = 1, NumgenModulus = 2, NumgenType = 3, NumgenOffset = 4;
    public const ushort NatType = 1, NatFamily = 2, NatRegAddrMin = 3, NatRegAddrMax = 4, NatRegProtoMin = 5, NatRegProtoMax = 6, NatFlags = 7;
    public const ushort FibDreg = 1, FibResult = 2, FibFlags = 3;
    public const ushort DynsetSetName = 1, DynsetOp = 3, DynsetSregKey = 4;
}

/// <summary>Constant values carried inside those attributes.</summary>
internal static class NftValue
{
    // Registers: 0 is the verdict; 8.. are the 32-bit data registers (16 of them), so 8 and 12 hold 16 bytes each.
    public const uint RegVerdict = 0, Reg1 = 8, Reg2 = 12;

    /// <summary>The 32-bit register after an IPv4 address in <see cref="Reg1"/> (where a map's <c>address . port</c>
    /// value puts the port); after an IPv6 address it is <see cref="Reg2"/>.</summary>
    public const uint Reg1Next32 = 9;

    public const uint PayloadNetwork = 1, PayloadTransport = 2;
    public const uint CmpEq = 0, CmpNeq = 1;
    public const uint MetaIifName = 6, MetaL4Proto = 16;
    public const uint LookupInvert = 1;
    public const uint NumgenRandom = 1;
    public const uint NatDnat = 1;
    public const uint NatRangeMapIps = 1, NatRangeProtoSpecified = 2;
    public const uint FibSaddr = 1, FibResultAddrType = 3, RtnLocal = 2;
    public const uint DynsetUpdate = 1;

    // Verdict codes (NF_DROP, NF_ACCEPT, NFT_JUMP, NFT_GOTO, NFT_RETURN), sent as big-endian 32-bit integers.
    public const int Drop = 0, Accept = 1, Jump = -3, Goto = -4, Return = -5;

    // Set flags and the data types nft writes for address keys (TYPE_IPADDR, TYPE_IP6ADDR in nft's datatype.h).
    public const uint SetAnonymous = 0x1, SetTimeout = 0x10, SetEval = 0x20;
    public const uint TypeIPv4Addr = 7, TypeIPv6Addr = 8;

    public const byte NfProtoIPv4 = 2, NfProtoIPv6 = 10;

    // Userdata TLVs (libnftnl udata): comments are type 0 in rules and elements; a set's key byte order is type 0.
    public const byte UserDataComment = 0, UserDataSetKeyByteOrder = 0;
    public const uint ByteOrderBigEndian = 2;
}
