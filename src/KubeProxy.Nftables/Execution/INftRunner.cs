using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Execution;

/// <summary>What the nftables data plane needs from the kernel side.</summary>
public interface INftRunner
{
    /// <summary>Apply one script atomically; throws <see cref="NftException"/> with nft's message on failure.</summary>
    void Apply(string script);

    /// <summary>Apply a rendered script; runners that can stream it to nft override this so that a large full sync
    /// never exists as one string.</summary>
    void Apply(NftScript script) => Apply(script.ToString());

    /// <summary>The chains and sets now in our table (used only on full syncs, never on the incremental path).
    /// An absent table is an empty listing.</summary>
    TableListing List(NftFamily family, string table);

    /// <summary>The names of the tables of <paramref name="family"/> (for cleanup). Runners that cannot tell return
    /// none.</summary>
    IReadOnlyList<string> ListTables(NftFamily family) => [];
}

/// <summary>Chains and sets of one table, as the kernel has them.</summary>
public sealed record TableListing(IReadOnlySet<string> Chains, IReadOnlyDictionary<string, SetInfo> Sets)
{
    public static readonly TableListing Empty = new(new HashSet<string>(), new Dictionary<string, SetInfo>());
}

/// <summary>A set in the kernel; <see cref="TimeoutSeconds"/> is 0 for sets without a timeout.
/// <see cref="Definition"/>: the attributes the kernel described it with (netlink listings only, and only for sets
/// the data plane may recreate: the endpoint-targets maps), to create the same set again.</summary>
public sealed record SetInfo(string Name, int TimeoutSeconds, byte[]? Definition = null);

public sealed class NftException : Exception
{
    public NftException(string message) : base(message) { }

    public NftException(string message, Exception inner) : base(message, inner) { }
}
