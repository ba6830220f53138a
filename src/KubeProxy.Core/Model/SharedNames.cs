using System.Collections.Concurrent;

namespace KubeProxy.Core.Model;

/// <summary>
/// One copy of the short strings that thousands of objects repeat: namespaces, port names, node names, zones, label
/// keys. Every object read from the API server arrives with its own copies of them; at 10,000 Services × 10 endpoints
/// that is hundreds of thousands of equal strings kept alive by the model. Unlike <see cref="string.Intern"/> the pool
/// is bounded (entry count and string length) and belongs to this process's model, so a cluster full of unique
/// names (or hostile input) cannot make it grow without limit: once it is full, or for a long string, the caller's
/// own string is returned, which is always correct, only not shared.
/// </summary>
public sealed class SharedNames
{
    /// <summary>Longest string worth sharing: a DNS subdomain (node names) is at most 253 characters.</summary>
    public const int DefaultMaxLength = 253;

    /// <summary>Entries in the process-wide pool: far more distinct namespaces, port names, nodes and zones than a
    /// large cluster has, and still only a few megabytes at the length limit.</summary>
    public const int DefaultMaxEntries = 16_384;

    private readonly ConcurrentDictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _spans;
    private readonly int _maxEntries;
    private readonly int _maxLength;
    private int _count;

    public SharedNames(int maxEntries = DefaultMaxEntries, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEntries);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        _maxEntries = maxEntries;
        _maxLength = maxLength;
        _spans = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The pool the sources and the bench generator use.</summary>
    public static SharedNames Shared { get; } = new();

    /// <summary>How many strings are pooled (for tests and diagnostics).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The pooled copy of <paramref name="value"/>, or <paramref name="value"/> itself when it is not
    /// poolable (too long, or the pool is full).</summary>
    public string Get(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0) return "";
        if (value.Length > _maxLength) return value;
        if (_pool.TryGetValue(value, out var shared)) return shared;
        return TryAdd(value);
    }

    /// <summary>As <see cref="Get(string)"/>, returning null for null.</summary>
    public string? GetOrNull(string? value) => value is null ? null : Get(value);

    /// <summary>The pooled string equal to <paramref name="value"/>; allocates only when it is not pooled.</summary>
    public string Get(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return "";
        if (value.Length <= _maxLength && _spans.TryGetValue(value, out var shared)) return shared;
        var text = value.ToString();
        return text.Length > _maxLength ? text : TryAdd(text);
    }

    private string TryAdd(string value)
    {
        // Reserve a slot first so that racing adders cannot overshoot the bound; give it back if another thread won.
        if (Interlocked.Increment(ref _count) > _maxEntries)
        {
            Interlocked.Decrement(ref _count);
            return _pool.TryGetValue(value, out var existing) ? existing : value;
        }
        if (_pool.TryAdd(value, value)) return value;
        Interlocked.Decrement(ref _count);
        return _pool[value]; // entries are never removed
    }
}
