namespace KubeProxy.Configuration;

/// <summary>
/// Since 1.31 upstream reads syncPeriod, minSyncPeriod and masqueradeAll from the section of the active mode
/// only (v1alpha1 conversion): ipvs from <c>ipvs</c>, nftables from <c>nftables</c>, everything else from
/// <c>iptables</c>. masqueradeBit comes from <c>nftables</c> in nftables mode and from <c>iptables</c> otherwise.
/// Our userspace mode falls in "everything else".
/// </summary>
public static class ActiveModeSection
{
    /// <summary>The section name ("iptables", "ipvs" or "nftables") that holds the sync periods for a mode.</summary>
    public static string SyncSection(string mode) => mode switch
    {
        ProxyModes.IPVS => "ipvs",
        ProxyModes.NFTables => "nftables",
        _ => "iptables",
    };

    public static GoDuration SyncPeriod(KubeProxyConfiguration c) => c.Mode switch
    {
        ProxyModes.IPVS => c.IPVS.SyncPeriod,
        ProxyModes.NFTables => c.NFTables.SyncPeriod,
        _ => c.IPTables.SyncPeriod,
    };

    public static GoDuration MinSyncPeriod(KubeProxyConfiguration c) => c.Mode switch
    {
        ProxyModes.IPVS => c.IPVS.MinSyncPeriod,
        ProxyModes.NFTables => c.NFTables.MinSyncPeriod,
        _ => c.IPTables.MinSyncPeriod,
    };

    /// <summary>The section ("iptables" or "nftables") that holds masqueradeAll and masqueradeBit.</summary>
    public static string MasqueradeSection(string mode) => mode == ProxyModes.NFTables ? "nftables" : "iptables";

    public static bool MasqueradeAll(KubeProxyConfiguration c) =>
        c.Mode == ProxyModes.NFTables ? c.NFTables.MasqueradeAll : c.IPTables.MasqueradeAll;

    public static int? MasqueradeBit(KubeProxyConfiguration c) =>
        c.Mode == ProxyModes.NFTables ? c.NFTables.MasqueradeBit : c.IPTables.MasqueradeBit;

    /// <summary>
    /// What upstream's internal round trip does to a file before writing it: the sync periods and masqueradeAll
    /// survive only in the active mode's section; the other sections' copies become zero / false.
    /// </summary>
    public static void NormalizeForWrite(KubeProxyConfiguration c)
    {
        var sync = SyncPeriod(c);
        var minSync = MinSyncPeriod(c);
        var masqueradeAll = MasqueradeAll(c);
        c.IPTables.SyncPeriod = c.IPTables.MinSyncPeriod = GoDuration.Zero;
        c.IPVS.SyncPeriod = c.IPVS.MinSyncPeriod = GoDuration.Zero;
        c.NFTables.SyncPeriod = c.NFTables.MinSyncPeriod = GoDuration.Zero;
        c.IPTables.MasqueradeAll = c.NFTables.MasqueradeAll = false;
        switch (c.Mode)
        {
            case ProxyModes.IPVS:
                c.IPVS.SyncPeriod = sync;
                c.IPVS.MinSyncPeriod = minSync;
                break;
            case ProxyModes.NFTables:
                c.NFTables.SyncPeriod = sync;
                c.NFTables.MinSyncPeriod = minSync;
                break;
            default:
                c.IPTables.SyncPeriod = sync;
                c.IPTables.MinSyncPeriod = minSync;
                break;
        }

        if (c.Mode == ProxyModes.NFTables)
        {
            c.NFTables.MasqueradeAll = masqueradeAll;
        }
        else
        {
            c.IPTables.MasqueradeAll = masqueradeAll;
        }
    }
}
