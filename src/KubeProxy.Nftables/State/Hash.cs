namespace KubeProxy.Nftables.State;

/// <summary>FNV-1a, 64 bit: a stable, allocation-free fingerprint of rule text for change detection.</summary>
public static class Hash
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(IReadOnlyList<string> lines)
    {
        var h = Offset;
        foreach (var line in lines)
        {
            h = Add(h, line);
            h = (h ^ '\n') * Prime;
        }
        return h;
    }

    public static ulong Of(string value, string? comment) => Add(Add(Offset, value) ^ 0x1f, comment ?? "");

    /// <summary>The fingerprint of a name already encoded as UTF-8 (the form <see cref="ServiceRecord"/> keeps).</summary>
    public static ulong OfUtf8(ReadOnlySpan<byte> bytes) => Add(Seed, bytes);

    /// <summary>Where a fingerprint built piece by piece (<see cref="Add(ulong, ReadOnlySpan{byte})"/>) starts.</summary>
    public const ulong Seed = Offset;

    /// <summary>Folds <paramref name="bytes"/> into fingerprint <paramref name="h"/>.</summary>
    public static ulong Add(ulong h, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) h = (h ^ b) * Prime;
        return h;
    }

    /// <summary>Folds one byte (a separator or tag) into fingerprint <paramref name="h"/>.</summary>
    public static ulong Add(ulong h, byte b) => (h ^ b) * Prime;

    private static ulong Add(ulong h, string s)
    {
        foreach (var c in s) h = (h ^ c) * Prime;
        return h;
    }
}
