using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// Writes one or more netlink messages into one reusable buffer, ready for a single send: headers, the family
/// header, attributes (4-byte aligned, zero padded) and nested attributes (NLA_F_NESTED set, length patched on
/// close). Sequence numbers and port ids stay zero here; <see cref="NetlinkConnection"/> stamps them when sending.
/// Integers are written in host order unless the method says BigEndian, as the kernel's nla_put_* do.
/// </summary>
public sealed class NetlinkMessageBuilder : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;
    private int _lastMessageStart = -1;

    public NetlinkMessageBuilder(int initialCapacity = 4096)
    {
        _buffer = Acquire(Math.Max(initialCapacity, 64));
    }

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
            return _buffer.AsSpan(0, _length);
        }
    }

    /// <summary>Mutable view for <see cref="NetlinkConnection"/> to stamp sequence numbers.</summary>
    internal Span<byte> WrittenMutable => _buffer.AsSpan(0, _length);

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
        var span = _buffer.AsSpan(_lastMessageStart + 6, 2);
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
        BitConverter.TryWriteBytes(_buffer.AsSpan(token, 2), (ushort)length);
    }

    public void PutBytes(ushort type, ReadOnlySpan<byte> value)
    {
        var payload = PutAttributeHeader(type, value.Length);
        value.CopyTo(payload);
    }

    public void PutFlag(ushort type) => PutAttributeHeader(type, 0);

    public void PutU8(ushort type, byte value) => PutAttributeHeader(type, 1)[0] = value;

    public void PutU16(ushort type, ushort value) => BitConverter.TryWriteBytes(PutAttributeHeader(type, 2), value);

    public void PutU32(ushort type, uint value) => BitConverter.TryWriteBytes(PutAttributeHeader(type, 4), value);

    public void PutU64(ushort type, ulong value) => BitConverter.TryWriteBytes(PutAttributeHeader(type, 8), value);

    public void PutU16BigEndian(ushort type, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(PutAttributeHeader(type, 2), value);

    public void PutU32BigEndian(ushort type, uint value) => BinaryPrimitives.WriteUInt32BigEndian(PutAttributeHeader(type, 4), value);

    public void PutU64BigEndian(ushort type, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(PutAttributeHeader(type, 8), value);

    /// <summary>A NUL-terminated string, as NLA_NUL_STRING policies expect.</summary>
    public void PutString(ushort type, string value)
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
        var buffer = _buffer;
        _buffer = [];
        Release(buffer);
    }

    /// <summary>Buffers up to this size are rented from and returned to the shared pool; larger ones (a full sync's
    /// batch is tens of megabytes) are plain arrays the GC reclaims, since the shared pool would keep them alive for
    /// the next renter and the process's memory would stay at the largest batch ever sent.</summary>
    private const int MaxPooledBytes = 1024 * 1024;

    private static byte[] Acquire(int size) =>
        size <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Release(byte[] buffer)
    {
        if (buffer.Length > 0 && buffer.Length <= MaxPooledBytes) ArrayPool<byte>.Shared.Return(buffer);
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
        if (_length + count > _buffer.Length)
        {
            var bigger = Acquire(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            Release(_buffer);
            _buffer = bigger;
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    private void WriteHostUInt32(int offset, uint value) => BitConverter.TryWriteBytes(_buffer.AsSpan(offset, 4), value);
}
