using System.Text;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Append-only UTF-8 text in a list of byte arrays. A full sync at 10,000 Services × 10 endpoints is ~65 MB of text:
/// as StringBuilder chunks (UTF-16, twice the size) it survived several collections and the GC copied it from
/// generation to generation; large byte arrays are allocated once, never moved (large object heap) and are written
/// to nft's stdin as they are. Chunks start small (a partial sync is a few hundred bytes) and double up to 1 MiB.
/// </summary>
internal sealed class ScriptBuffer
{
    private const int FirstChunk = 4 * 1024;
    private const int MaxChunk = 1024 * 1024;

    private readonly List<(byte[] Bytes, int Used)> _full = [];
    private byte[] _current = [];
    private int _used;

    public long Length { get; private set; }

    public ScriptBuffer Append(string text) => Append(text.AsSpan());

    public ScriptBuffer Append(char c)
    {
        if (c < 0x80)
        {
            if (_used == _current.Length) Grow(1);
            _current[_used++] = (byte)c;
            Length++;
            return this;
        }
        return Append([c]);
    }

    public ScriptBuffer Append(ReadOnlySpan<char> text)
    {
        // UTF-8 needs at most 3 bytes per UTF-16 char; names and rules are ASCII, so this is rarely more than needed.
        var max = text.Length * 3;
        if (_current.Length - _used < max) Grow(max);
        var written = Encoding.UTF8.GetBytes(text, _current.AsSpan(_used));
        _used += written;
        Length += written;
        return this;
    }

    /// <summary>Takes over another buffer's bytes (no copy); <paramref name="other"/> is empty afterwards.</summary>
    public void TakeOver(ScriptBuffer other)
    {
        Seal();
        other.Seal();
        _full.AddRange(other._full);
        Length += other.Length;
        other._full.Clear();
        other.Length = 0;
    }

    public void WriteTo(Stream stream)
    {
        foreach (var (bytes, used) in Chunks()) stream.Write(bytes, 0, used);
    }

    public override string ToString()
    {
        var text = new StringBuilder((int)Math.Min(Length, int.MaxValue));
        foreach (var (bytes, used) in Chunks()) text.Append(Encoding.UTF8.GetString(bytes, 0, used));
        return text.ToString();
    }

    private IEnumerable<(byte[] Bytes, int Used)> Chunks()
    {
        foreach (var chunk in _full) yield return chunk;
        if (_used > 0) yield return (_current, _used);
    }

    private void Seal()
    {
        if (_used > 0) _full.Add((_current, _used));
        _current = [];
        _used = 0;
    }

    private void Grow(int atLeast)
    {
        Seal();
        var size = Math.Max(_full.Count == 0 ? FirstChunk : Math.Min(MaxChunk, _full[^1].Bytes.Length * 2), atLeast);
        _current = GC.AllocateUninitializedArray<byte>(size);
    }
}
