namespace KubeProxy.Configuration;

/// <summary>The data plane kube-proxy programs.</summary>
public enum ProxyMode
{
    /// <summary>iptables-restore rules; upstream's Linux default.</summary>
    IPTables,

    /// <summary>IPVS virtual servers plus ipset and iptables; deprecated upstream in 1.35.</summary>
    IPVS,

    /// <summary>One nftables table per family.</summary>
    NFTables,

    /// <summary>
    /// Our own fast L4 proxy in user space. Upstream removed its old "userspace" mode in 1.26; this project reuses
    /// the name for a new mode, so the value is accepted here although upstream rejects it.
    /// </summary>
    Userspace,
}

/// <summary>The <c>mode</c> strings of the config file and <c>--proxy-mode</c>.</summary>
public static class ProxyModes
{
    public const string IPTables = "iptables";
    public const string IPVS = "ipvs";
    public const string NFTables = "nftables";
    public const string Userspace = "userspace";

    /// <summary>The accepted non-empty values, sorted as upstream lists them in errors.</summary>
    public static IReadOnlyList<string> All { get; } = [IPTables, IPVS, NFTables, Userspace];

    public static bool TryParse(string? text, out ProxyMode mode)
    {
        (var ok, mode) = text switch
        {
            IPTables => (true, ProxyMode.IPTables),
            IPVS => (true, ProxyMode.IPVS),
            NFTables => (true, ProxyMode.NFTables),
            Userspace => (true, ProxyMode.Userspace),
            _ => (false, ProxyMode.IPTables),
        };
        return ok;
    }

    /// <summary>The config-file spelling, also what <c>/proxyMode</c> serves.</summary>
    public static string ToConfigString(this ProxyMode mode) => mode switch
    {
        ProxyMode.IPVS => IPVS,
        ProxyMode.NFTables => NFTables,
        ProxyMode.Userspace => Userspace,
        _ => IPTables,
    };
}
