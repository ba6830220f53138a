namespace KubeProxy.Linux.Netlink;

// The kernel reuses bits per request kind; the aliases keep call sites readable (NLM_F_CREATE, NLM_F_DUMP).
#pragma warning disable CA1069

/// <summary>nlmsg_flags. Some bits mean different things for GET, NEW and DELETE requests, hence the aliases.</summary>
[Flags]
public enum NetlinkMessageFlags : ushort
{
    None = 0,
    Request = 0x01,
    Multi = 0x02,
    Ack = 0x04,
    Echo = 0x08,
    DumpInterrupted = 0x10,
    DumpFiltered = 0x20,

    // GET requests
    Root = 0x100,
    Match = 0x200,
    Atomic = 0x400,
    Dump = Root | Match,

    // NEW requests
    Replace = 0x100,
    Excl = 0x200,
    Create = 0x400,
    Append = 0x800,

    // On NLMSG_ERROR replies
    Capped = 0x100,
    AckTlvs = 0x200,
}
#pragma warning restore CA1069
