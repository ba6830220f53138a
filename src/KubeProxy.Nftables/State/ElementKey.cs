namespace KubeProxy.Nftables.State;

/// <summary>A set or map element's identity: the map and the key.</summary>
public readonly record struct ElementKey(string Map, string Key);
