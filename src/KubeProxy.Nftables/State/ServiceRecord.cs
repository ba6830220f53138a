using System.Text;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.State;

/// <summary>
/// What one Service has in the kernel, as far as this process knows: its chains (by a hash of their rules, which is
/// all a comparison needs), its map elements (key → hash of value and comment) and its affinity sets (name →
/// timeout). At 10,000 Services this is most of the data plane's long-lived memory, so it is packed: every name is
/// UTF-8 in one shared byte array, and each entry is three numbers (hash of the name, value, end of the name) in one
/// ulong array, instead of three dictionaries holding the renderer's strings. Entries stay in render order, so the
/// commands derived from a diff come out in the same order as the rules did. Sections of more than
/// <see cref="IndexThreshold"/> entries carry a sorted index for lookups; smaller ones are scanned (comparing the
/// hash first, bytes only on a hash match). An element of one of the renderer's own maps stores the map as a one-byte
/// code instead of its name (<see cref="KnownMaps"/>): most elements are endpoint-targets and hairpin entries, whose
/// map names were half of their bytes. A hairpin key (<c>address . address</c>) is stored as one address under a code
/// of its own (<see cref="DoubledHairpinCode"/>).
/// </summary>
public sealed class ServiceRecord
{
    /// <summary>Above this many entries a section gets a sorted index; below it a scan is cheaper than the array.</summary>
    public const int IndexThreshold = 16;

    /// <summary>Separates map and key inside an element's name (neither can contain a NUL).</summary>
    private const byte ElementSeparator = 0;

    private const int Stride = 3;

    /// <summary>Between the two addresses of a hairpin key.</summary>
    private const string PairSeparator = " . ";

    /// <summary>The maps and sets whose elements a record names by a one-byte code (index + 1, at most 33
    /// with the doubled hairpin code). Nft names start with a letter, so a code cannot be mistaken for a one-character
    /// name.</summary>
    private static readonly string[] KnownMaps =
    [
        ServiceRenderer.ServiceIPsMap, ServiceRenderer.ServiceNodePortsMap, ServiceRenderer.NoEndpointServicesMap,
        ServiceRenderer.NoEndpointNodePortsMap, ServiceRenderer.FirewallIPsMap, ServiceRenderer.ClusterIPsSet,
        ServiceRenderer.HairpinSet, ServiceRenderer.ClusterIPMasqueradeSet,
        .. ServiceRenderer.EndpointTargetsMaps().Select(m => m.Map),
    ];

    private static readonly Dictionary<string, byte> KnownMapCodes =
        KnownMaps.Select((map, i) => (map, i)).ToDictionary(m => m.map, m => (byte)(m.i + 1), StringComparer.Ordinal);

    private static readonly byte HairpinCode = MapCode(ServiceRenderer.HairpinSet);

    /// <summary>A hairpin element whose key is an address twice (all of them): only one is stored.</summary>
    private static readonly byte DoubledHairpinCode = (byte)(KnownMaps.Length + 1);

    public static readonly ServiceRecord Empty = new([], [], 0, 0);

    private readonly byte[] _text;
    private readonly ulong[] _entries;
    private readonly int _chainCount;
    private readonly int _elementCount;
    private readonly int[]? _chainIndex;
    private readonly int[]? _elementIndex;
    private readonly int[]? _affinityIndex;

    private ServiceRecord(byte[] text, ulong[] entries, int chainCount, int elementCount)
    {
        _text = text;
        _entries = entries;
        _chainCount = chainCount;
        _elementCount = elementCount;
        _chainIndex = BuildIndex(0, chainCount);
        _elementIndex = BuildIndex(chainCount, elementCount);
        _affinityIndex = BuildIndex(chainCount + elementCount, AffinitySetCount);
    }

    public int ChainCount => _chainCount;

    public int ElementCount => _elementCount;

    public int AffinitySetCount => _entries.Length / Stride - _chainCount - _elementCount;

    /// <summary>The record of what <paramref name="rules"/> puts in the kernel. A name given twice keeps its first
    /// position and its last value, as a dictionary filled in order would.</summary>
    public static ServiceRecord From(ServiceRules rules)
    {
        var chains = rules.Chains;
        var elements = rules.Elements;
        var sets = rules.AffinitySets;
        var count = chains.Count + elements.Count + sets.Count;
        if (count == 0) return Empty;

        var length = 0;
        foreach (var c in chains) length += Encoding.UTF8.GetByteCount(c.Name);
        foreach (var e in elements) length += ElementNameLength(e.Map, e.Key);
        foreach (var s in sets) length += Encoding.UTF8.GetByteCount(s.Name);

        var text = new byte[length];
        var entries = new ulong[count * Stride];
        var at = 0;
        var i = 0;
        foreach (var c in chains) Put(text, entries, ref at, ref i, c.Name, null, Hash.Of(c.Rules));
        foreach (var e in elements) Put(text, entries, ref at, ref i, e.Map, e.Key, Hash.Of(e.Value, e.Comment));
        foreach (var s in sets) Put(text, entries, ref at, ref i, s.Name, null, (ulong)s.TimeoutSeconds);

        var record = new ServiceRecord(text, entries, chains.Count, elements.Count);
        return record.HasDuplicates() ? From(Deduplicated(rules)) : record;
    }

    public bool TryGetChain(string name, out ulong rulesHash) => TryGet(Section.Chains, name, null, out rulesHash);

    public bool ContainsChain(string name) => TryGetChain(name, out _);

    public bool TryGetElement(string map, string key, out ulong valueHash) => TryGet(Section.Elements, map, key, out valueHash);

    public bool TryGetAffinitySet(string name, out int timeoutSeconds)
    {
        var found = TryGet(Section.AffinitySets, name, null, out var value);
        timeoutSeconds = (int)value;
        return found;
    }

    /// <summary>The chains, decoded (allocates: for tests and tools, not for the sync path).</summary>
    public IEnumerable<(string Name, ulong RulesHash)> Chains =>
        Range(Section.Chains).Select(i => (Encoding.UTF8.GetString(Name(i)), Value(i)));

    /// <summary>The elements, decoded (allocates).</summary>
    public IEnumerable<(ElementKey Key, ulong ValueHash)> Elements =>
        Range(Section.Elements).Select(i => (DecodeElement(i), Value(i)));

    /// <summary>The affinity sets, decoded (allocates).</summary>
    public IEnumerable<(string Name, int TimeoutSeconds)> AffinitySets =>
        Range(Section.AffinitySets).Select(i => (Encoding.UTF8.GetString(Name(i)), (int)Value(i)));

    /// <summary>This record's chains that <paramref name="next"/> does not have, in this record's order.</summary>
    public List<string> ChainsMissingFrom(ServiceRecord next)
    {
        var result = new List<string>();
        foreach (var i in Range(Section.Chains))
        {
            if (next.Find(Section.Chains, Name(i), NameHash(i)) < 0) result.Add(Encoding.UTF8.GetString(Name(i)));
        }
        return result;
    }

    /// <summary>This record's elements that <paramref name="next"/> lacks or holds with another value: the ones to
    /// delete from the kernel.</summary>
    public List<ElementKey> ElementsChangedOrMissingIn(ServiceRecord next) =>
        ChangedOrMissing(next, Section.Elements, DecodeElement);

    /// <summary>This record's affinity sets that <paramref name="next"/> lacks or wants with another timeout.</summary>
    public List<string> AffinitySetsChangedOrMissingIn(ServiceRecord next) =>
        ChangedOrMissing(next, Section.AffinitySets, i => Encoding.UTF8.GetString(Name(i)));

    private List<T> ChangedOrMissing<T>(ServiceRecord next, Section section, Func<int, T> decode)
    {
        var result = new List<T>();
        foreach (var i in Range(section))
        {
            var j = next.Find(section, Name(i), NameHash(i));
            if (j < 0 || next.Value(j) != Value(i)) result.Add(decode(i));
        }
        return result;
    }

    private static void Put(byte[] text, ulong[] entries, ref int at, ref int i, string name, string? key, ulong value)
    {
        var start = at;
        at += key is null ? Encoding.UTF8.GetBytes(name, text.AsSpan(at)) : WriteElementName(name, key, text.AsSpan(at));
        entries[i * Stride] = Hash.OfUtf8(text.AsSpan(start, at - start));
        entries[i * Stride + 1] = value;
        entries[i * Stride + 2] = (ulong)at;
        i++;
    }

    private bool TryGet(Section section, string name, string? key, out ulong value)
    {
        var length = key is null ? Encoding.UTF8.GetByteCount(name) : ElementNameLength(name, key);
        // Names are short (chain names and "address . protocol . port" keys); a long one just takes the heap.
        Span<byte> buffer = length <= 256 ? stackalloc byte[length] : new byte[length];
        if (key is null) Encoding.UTF8.GetBytes(name, buffer);
        else WriteElementName(name, key, buffer);
        var i = Find(section, buffer, Hash.OfUtf8(buffer));
        value = i < 0 ? 0 : Value(i);
        return i >= 0;
    }

    /// <summary>The entry of <paramref name="section"/> named <paramref name="name"/>, or -1.</summary>
    private int Find(Section section, ReadOnlySpan<byte> name, ulong hash)
    {
        var (start, count) = Bounds(section);
        var index = section switch
        {
            Section.Chains => _chainIndex,
            Section.Elements => _elementIndex,
            _ => _affinityIndex,
        };
        if (index is null)
        {
            for (var i = start; i < start + count; i++)
            {
                if (NameHash(i) == hash && Name(i).SequenceEqual(name)) return i;
            }
            return -1;
        }
        int lo = 0, hi = index.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var c = Compare(index[mid], hash, name);
            if (c == 0) return index[mid];
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    private int Compare(int entry, ulong hash, ReadOnlySpan<byte> name)
    {
        var c = NameHash(entry).CompareTo(hash);
        return c != 0 ? c : Name(entry).SequenceCompareTo(name);
    }

    private int[]? BuildIndex(int start, int count)
    {
        if (count <= IndexThreshold) return null;
        var index = new int[count];
        for (var i = 0; i < count; i++) index[i] = start + i;
        Array.Sort(index, (a, b) => Compare(a, NameHash(b), Name(b)));
        return index;
    }

    private bool HasDuplicates()
    {
        foreach (var section in (ReadOnlySpan<Section>)[Section.Chains, Section.Elements, Section.AffinitySets])
        {
            foreach (var i in Range(section))
            {
                if (Find(section, Name(i), NameHash(i)) != i) return true;
            }
        }
        return false;
    }

    /// <summary>Rules with each name once: first position, last value (a rare case, so done the plain way).</summary>
    private static ServiceRules Deduplicated(ServiceRules rules)
    {
        var result = new ServiceRules(rules.Service);
        Keep(rules.Chains, c => c.Name, result.Chains);
        Keep(rules.Elements, e => new ElementKey(e.Map, e.Key), result.Elements);
        Keep(rules.AffinitySets, s => s.Name, result.AffinitySets);
        return result;

        static void Keep<T, TKey>(List<T> items, Func<T, TKey> keyOf, List<T> into) where TKey : notnull
        {
            var position = new Dictionary<TKey, int>();
            foreach (var item in items)
            {
                if (position.TryGetValue(keyOf(item), out var p)) into[p] = item;
                else
                {
                    position[keyOf(item)] = into.Count;
                    into.Add(item);
                }
            }
        }
    }

    private ElementKey DecodeElement(int i)
    {
        var name = Name(i);
        var separator = name.IndexOf(ElementSeparator);
        var key = Encoding.UTF8.GetString(name[(separator + 1)..]);
        if (separator == 1 && name[0] == DoubledHairpinCode) return new ElementKey(ServiceRenderer.HairpinSet, $"{key}{PairSeparator}{key}");
        var map = separator == 1 && name[0] <= KnownMaps.Length ? KnownMaps[name[0] - 1] : Encoding.UTF8.GetString(name[..separator]);
        return new ElementKey(map, key);
    }

    /// <summary>The bytes of an element's name: the map (or its code), the separator, the key (or half of it).</summary>
    private static int ElementNameLength(string map, string key)
    {
        var code = Encode(map, key, out var stored);
        return (code > 0 ? 1 : Encoding.UTF8.GetByteCount(map)) + 1 + Encoding.UTF8.GetByteCount(stored);
    }

    private static int WriteElementName(string map, string key, Span<byte> into)
    {
        var code = Encode(map, key, out var stored);
        var n = 0;
        if (code > 0) into[n++] = code;
        else n += Encoding.UTF8.GetBytes(map, into);
        into[n++] = ElementSeparator;
        return n + Encoding.UTF8.GetBytes(stored, into[n..]);
    }

    /// <summary>The map's code (0: stored by name), and the part of the key that is stored.</summary>
    private static byte Encode(string map, string key, out ReadOnlySpan<char> stored)
    {
        var code = MapCode(map);
        stored = key;
        if (code == HairpinCode && key.Length % 2 == 1 && key.Length > PairSeparator.Length)
        {
            var half = (key.Length - PairSeparator.Length) / 2;
            var k = key.AsSpan();
            if (k.Slice(half, PairSeparator.Length).SequenceEqual(PairSeparator) && k[..half].SequenceEqual(k[(half + PairSeparator.Length)..]))
            {
                stored = k[..half];
                return DoubledHairpinCode;
            }
        }
        return code;
    }

    /// <summary>The map's code, or 0 when it is not one of <see cref="KnownMaps"/>.</summary>
    private static byte MapCode(string map) => KnownMapCodes.GetValueOrDefault(map);

    private (int Start, int Count) Bounds(Section section) => section switch
    {
        Section.Chains => (0, _chainCount),
        Section.Elements => (_chainCount, _elementCount),
        _ => (_chainCount + _elementCount, AffinitySetCount),
    };

    private IEnumerable<int> Range(Section section)
    {
        var (start, count) = Bounds(section);
        return Enumerable.Range(start, count);
    }

    private ulong NameHash(int i) => _entries[i * Stride];

    private ulong Value(int i) => _entries[i * Stride + 1];

    private ReadOnlySpan<byte> Name(int i)
    {
        var start = i == 0 ? 0 : (int)_entries[(i - 1) * Stride + 2];
        return _text.AsSpan(start, (int)_entries[i * Stride + 2] - start);
    }

    private enum Section
    {
        Chains,
        Elements,
        AffinitySets,
    }
}
