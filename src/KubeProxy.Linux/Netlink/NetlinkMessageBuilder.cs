using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// Writes one or more netlink messages into one reusable buffer, ready for a single send: headers, the family
/// header, attributes (4-byte aligned, zero padded) and nested attributes (NLA_F_NESTED set, length patched on
/// close). Sequence numbers and port ids stay zero here; <see cref="NetlinkConnection"/> stamps them when sending.
/// Integers are written in host order unless the method says BigEndian, as the kernel's nla_put_* do.
/// </summary>
public sealed unsafe class NetlinkMessageBuilder : IDisposable
{
    /// <summary>The buffer while it is small and the builder is pooled: rented from the shared pool.</summary>
    private byte[] _managed = [];
    /// <summary>The buffer otherwise (above <see cref="MaxPooledBytes"/>, or any size when not pooled): native memory,
    /// see <see cref="Acquire"/>.</summary>
    private byte* _native;
    private int _capacity;
    /// <summary>Whether the finalizer is registered (it is only while the buffer is native).</summary>
    private bool _finalizable = true;
    private int _length;
    private int _messageStart = -1;
    private int _lastMessageStart = -1;

    /// <param name="pooled">Take small buffers from the shared array pool (the default: requests and partial
    /// syncs come and go). False for many builders that grow together and go together (a full sync's element
    /// spools): returned to the pool at once they would stay in it as several megabytes of arrays nobody rents.</param>
    public NetlinkMessageBuilder(int initialCapacity = 4096, bool pooled = true)
    {
        _pooled = pooled;
        Acquire(Math.Max(initialCapacity, 64));
    }

    private readonly bool _pooled;

    ~NetlinkMessageBuilder() => Release();

    private Span<byte> Buffer => _native != null ? new Span<byte>(_native, _capacity) : _managed.AsSpan();

    /// <summary>Bytes written so far (complete messages plus the one in progress).</summary>
    public int Length => _length;

    public int MessageCount { get; private set; }

    public bool InMessage => _messageStart >= 0;

    /// <summary>The complete messages, as one datagram.</summary>
    public ReadOnlySpan<byte> WrittenSpan
    {
        get
        {
            if (InMessage) throw new InvalidOperationException("a message is still open");
            return Buffer[.._length];
        }
    }

    /// <summary>Mutable view for <see cref="NetlinkConnection"/> to stamp sequence numbers.</summary>
    internal Span<byte> WrittenMutable => Buffer[.._length];

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
        _lastMessageStart = -1;
        MessageCount = 0;
    }

    public void BeginMessage(ushort type, NetlinkMessageFlags flags)
    {
        if (InMessage) throw new InvalidOperationException("the previous message was not ended");
        _messageStart = _length;
        var header = Reserve(NetlinkLayout.MessageHeaderSize);
        header.Clear();
        BitConverter.TryWriteBytes(header[4..], type);
        BitConverter.TryWriteBytes(header[6..], (ushort)flags);
    }

    public void EndMessage()
    {
        if (!InMessage) throw new InvalidOperationException("no message is open");
        WriteHostUInt32(_messageStart, (uint)(_length - _messageStart));
        _lastMessageStart = _messageStart;
        _messageStart = -1;
        MessageCount++;
    }

    /// <summary>Adds flags to the most recently ended message (for example NLM_F_ACK on the last of a batch).</summary>
    public void AddFlagsToLastMessage(NetlinkMessageFlags flags)
    {
        if (_lastMessageStart < 0) throw new InvalidOperationException("no message has been ended");
        var span = Buffer.Slice(_lastMessageStart + 6, 2);
        var current = BitConverter.ToUInt16(span);
        BitConverter.TryWriteBytes(span, (ushort)(current | (ushort)flags));
    }

    /// <summary>Appends a fixed family header (nfgenmsg, genlmsghdr, ...) padded to 4 bytes.</summary>
    public void PutHeader(ReadOnlySpan<byte> header)
    {
        RequireMessage();
        var dst = Reserve(NetlinkLayout.Align(header.Length));
        header.CopyTo(dst);
        dst[header.Length..].Clear();
    }

    /// <summary>Starts a nested attribute; pass the returned token to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        RequireMessage();
        var start = _length;
        var header = Reserve(NetlinkLayout.AttributeHeaderSize);
        BitConverter.TryWriteBytes(header, (ushort)0);
        BitConverter.TryWriteBytes(header[2..], (ushort)(type | NetlinkLayout.Nested));
        return start;
    }

    public void EndNested(int token)
    {
        var length = _length - token;
        if (length > ushort.MaxValue) throw new InvalidOperationException("nested attribute longer than 65535 bytes");
        BitConverter.TryWriteBytes(Buffer.Slice(token, 2), (ushort)length);
    }

    public void PutBytes(ushort type, ReadOnlySpan<byte> value)
    {
        var payload = PutAttributeHeader(type, value.Length);
        value.CopyTo(payload);
    }

    /// <summary>Appends attributes encoded elsewhere (each 4-byte aligned, as this builder writes them) into the open
    /// message or nest.</summary>
    public void PutEncoded(ReadOnlySpan<byte> attributes)
    {
        RequireMessage();
        if (attributes.Length != NetlinkLayout.Align(attributes.Length))
            throw new ArgumentException("encoded attributes must end 4-byte aligned", nameof(attributes));
        attributes.CopyTo(Reserve(attributes.Length));
    }

    /// <summary>Everything written so far, including a message still open (for builders used as a scratch area).</summary>
    public ReadOnlySpan<byte> AllWritten => Buffer[.._length];

    public void PutFlag(ushort type) => PutAttributeHeader(type, 0);

    public void PutU8(ushort type, byte value) => PutAttributeHeader(type, 1)[0] = value;

    public void PutU16(ushort type, ushort value) => BitConverter.TryWriteBytes(PutAttributeHeader(type, 2), value);

    public void PutU32(ushort type, uint value) => BitConverter.TryWriteBytes(PutAttributeHeader(type, 4), value);

    public void PutU64(ushort type, ulong value) => BitConverter.TryWriteBytes(PutAttributeHeader(type, 8), value);

    public void PutU16BigEndian(ushort type, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(PutAttributeHeader(type, 2), value);

    public void PutU32BigEndian(ushort type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(PutAttributeHeader(type, 4), value);

    public void PutU64BigEndian(ushort type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(PutAttributeHeader(type, 8), value);

    /// <summary>A NUL-terminated string, as NLA_NUL_STRING policies expect.</summary>
    public void PutString(ushort type, string value) => PutString(type, value.AsSpan());

    /// <summary>A NUL-terminated string, as NLA_NUL_STRING policies expect.</summary>
    public void PutString(ushort type, ReadOnlySpan<char> value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var payload = PutAttributeHeader(type, count + 1);
        Encoding.UTF8.GetBytes(value, payload);
        payload[count] = 0;
    }

    /// <summary>An address in network order: 4 bytes for IPv4, 16 for IPv6.</summary>
    public void PutAddress(ushort type, NetAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        var n = address.WriteTo(bytes);
        PutBytes(type, bytes[..n]);
    }

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
        _finalizable = false;
    }

    /// <summary>Buffers up to this size are rented from and returned to the shared pool. Larger ones (a full sync's
    /// batch is tens of megabytes) are native memory, freed when the builder is disposed: the shared pool would keep
    /// them alive for the next renter, and a managed array of that size lands on the large object heap, whose growth
    /// triggers full collections of a heap holding the whole cluster. glibc maps allocations above its threshold
    /// (at most 32 MB) directly, so the pages of a full sync's generously reserved batch that are never written cost
    /// no memory and all of it goes back to the system when freed.</summary>
    private const int MaxPooledBytes = 1024 * 1024;

    /// <summary>Takes a buffer of at least <paramref name="size"/> bytes, keeping what was written, and gives back the
    /// old one.</summary>
    private void Acquire(int size)
    {
        if (_pooled && size <= MaxPooledBytes)
        {
            var managed = ArrayPool<byte>.Shared.Rent(size);
            Buffer[.._length].CopyTo(managed);
            Release();
            _managed = managed;
            _capacity = managed.Length;
            GC.SuppressFinalize(this);
            _finalizable = false;
        }
        else
        {
            var native = (byte*)NativeMemory.Alloc((nuint)size);
            Buffer[.._length].CopyTo(new Span<byte>(native, size));
            Release();
            _native = native;
            _capacity = size;
            // Only a builder holding native memory needs its finalizer (one that was never disposed); registered once.
            if (!_finalizable) GC.ReRegisterForFinalize(this);
            _finalizable = true;
        }
    }

    private void Release()
    {
        if (_native != null)
        {
            NativeMemory.Free(_native);
            _native = null;
        }
        else if (_managed.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_managed);
        }
        _managed = [];
        _capacity = 0;
    }

    private Span<byte> PutAttributeHeader(ushort type, int payloadLength)
    {
        RequireMessage();
        var length = NetlinkLayout.AttributeHeaderSize + payloadLength;
        if (length > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(payloadLength), "attribute longer than 65535 bytes");
        var span = Reserve(NetlinkLayout.Align(length));
        BitConverter.TryWriteBytes(span, (ushort)length);
        BitConverter.TryWriteBytes(span[2..], type);
        span[length..].Clear();
        return span.Slice(NetlinkLayout.AttributeHeaderSize, payloadLength);
    }

    private void RequireMessage()
    {
        if (!InMessage) throw new InvalidOperationException("BeginMessage first");
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _capacity)
        {
            ObjectDisposedException.ThrowIf(_capacity == 0, this);
            Acquire((int)Math.Min(Math.Max((long)_capacity * 2, _length + count), Array.MaxLength));
        }
        var span = Buffer.Slice(_length, count);
        _length += count;
        return span;
    }

    private void WriteHostUInt32(int offset, uint value) => BitConverter.TryWriteBytes(Buffer.Slice(offset, 4), value);
}
