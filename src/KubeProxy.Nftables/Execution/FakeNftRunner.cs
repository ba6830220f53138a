using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Execution;

/// <summary>
/// A recording stand-in for unit tests: keeps every applied script, can be told to fail, and reports a listing
/// that tests set. It does not interpret nft; kernel behaviour is tested in network namespaces.
/// </summary>
public sealed class FakeNftRunner : INftRunner
{
    public List<string> Applied { get; } = [];

    public TableListing Listing { get; set; } = TableListing.Empty;

    /// <summary>When set, the next Apply throws this message (once).</summary>
    public string? FailNext { get; set; }

    public int ListCalls { get; private set; }

    public void Apply(string script)
    {
        if (FailNext is { } message)
        {
            FailNext = null;
            throw new NftException(message);
        }
        Applied.Add(script);
    }

    public TableListing List(NftFamily family, string table)
    {
        ListCalls++;
        return Listing;
    }
}
