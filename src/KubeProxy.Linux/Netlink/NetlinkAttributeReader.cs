using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>Walks a run of attributes: <c>foreach (var a in message.Attributes(4)) switch (a.Type) ...</c>.</summary>
public ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
        Current = default;
    }

    public NetlinkAttribute Current { get; private set; }

    public readonly NetlinkAttributeReader GetEnumerator() => this;

    /// <summary>
    /// The allocation- and copy-free form of <see cref="MoveNext"/> for hot loops (a dump's per-entry parse):
    /// the type without flag bits and the payload, as locals the JIT keeps in registers.
    /// </summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> payload)
    {
        var remaining = _remaining;
        if (remaining.Length < NetlinkLayout.AttributeHeaderSize)
        {
            type = 0;
            payload = default;
            return false;
        }
        int length = MemoryMarshal.Read<ushort>(remaining);
        var rawType = MemoryMarshal.Read<ushort>(remaining[2..]);
        if (length < NetlinkLayout.AttributeHeaderSize || length > remaining.Length)
            throw new InvalidDataException($"netlink attribute {rawType & NetlinkLayout.TypeMask} length {length} outside the {remaining.Length} bytes left");
        type = (ushort)(rawType & NetlinkLayout.TypeMask);
        payload = remaining.Slice(NetlinkLayout.AttributeHeaderSize, length - NetlinkLayout.AttributeHeaderSize);
        var advance = NetlinkLayout.Align(length);
        _remaining = advance < remaining.Length ? remaining[advance..] : default;
        return true;
    }

    public bool MoveNext()
    {
        // The kernel's nla_for_each_attr stops silently on a short tail; so do we, but a length that overruns is an error.
        if (_remaining.Length < NetlinkLayout.AttributeHeaderSize) return false;
        var length = MemoryMarshal.Read<ushort>(_remaining);
        var type = MemoryMarshal.Read<ushort>(_remaining[2..]);
        if (length < NetlinkLayout.AttributeHeaderSize || length > _remaining.Length)
            throw new InvalidDataException($"netlink attribute {type & NetlinkLayout.TypeMask} length {length} outside the {_remaining.Length} bytes left");
        Current = new NetlinkAttribute(type, _remaining[NetlinkLayout.AttributeHeaderSize..length]);
        _remaining = _remaining[Math.Min(NetlinkLayout.Align(length), _remaining.Length)..];
        return true;
    }
}
