namespace KubeProxy.Linux.Netlink;

/// <summary>How many messages a dump delivered, and whether the kernel flagged it inconsistent (NLM_F_DUMP_INTR).</summary>
public readonly record struct NetlinkDumpResult(long Messages, bool Interrupted);
