namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Hands out ranges of the endpoint-targets maps' keys (one key space for all of them): a chain that picks one of N
/// endpoints gets N consecutive keys, and its rule draws <c>numgen random mod N offset START</c> and looks the result
/// up in its map. The data plane keeps a chain's range while its endpoint count stays the same, so an endpoint that
/// changes is a changed map element, not a changed rule.
/// </summary>
public interface IEndpointSlots
{
    /// <summary>The first of <paramref name="count"/> keys for <paramref name="chain"/>.</summary>
    uint Reserve(string chain, int count);
}
