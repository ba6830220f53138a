namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// The commands a sync's Services are made of (all of a partial sync; all but the fixed chains' rules of a full sync).
/// Written once by the data plane and carried out by either encoding: nft text (<see cref="NftScript"/>) or an
/// nf_tables netlink batch (Netlink.NftNetlinkBatch).
/// </summary>
public interface INftTransaction
{
    /// <summary>The table the following commands address (the transaction starts at the one it was made for). One
    /// transaction may span the tables of one family (ServiceTables), and is still applied all or nothing.</summary>
    void UseTable(string table);

    void AddChain(string chain);

    void FlushChain(string chain);

    void DeleteChain(string chain);

    void AddRule(string chain, string rule);

    void AddAffinitySet(string name, int timeoutSeconds);

    void DeleteSet(string name);

    void AddElement(MapElement element);

    void DeleteElement(string map, string key);

    /// <summary>Removes every element of a set (<paramref name="isMap"/> false) or map.</summary>
    void FlushSet(string name, bool isMap);

    /// <summary>Empties a set or map that no rule uses any more in this transaction by deleting it and creating it
    /// again: unlike a flush, this leaves no old elements for the kernel to walk when new rules bind to it. nft text
    /// uses <paramref name="text"/> (BaseRules' definition); a netlink batch needs <paramref name="kernelDefinition"/>
    /// (a netlink listing's description of the set) and flushes without it.</summary>
    void RecreateSet(string name, bool isMap, string text, byte[]? kernelDefinition);

    /// <summary>Deletes the current table with everything in it.</summary>
    void DeleteTable();
}
