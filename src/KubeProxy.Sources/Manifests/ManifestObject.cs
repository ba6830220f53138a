namespace KubeProxy.Sources.Manifests;

/// <summary>The kinds of object the manifest source reads.</summary>
internal enum ManifestKind
{
    Service,
    EndpointSlice,
    Node,
    ServiceCIDR,
}

/// <summary>A validated object from one file. <see cref="Key"/> is namespace/name (or name for cluster-scoped kinds).</summary>
internal sealed record ManifestObject(ManifestKind Kind, string Key, object Value);

/// <summary>What the source knows about one file: its fingerprint, content hash and the objects last read from it.</summary>
internal sealed class ManifestFile
{
    public required (DateTime WriteTime, long Length) Fingerprint { get; set; }

    public required byte[] Hash { get; set; }

    /// <summary>The last good content: a later version that does not parse leaves it in place.</summary>
    public IReadOnlyList<ManifestObject> Objects { get; set; } = [];
}
