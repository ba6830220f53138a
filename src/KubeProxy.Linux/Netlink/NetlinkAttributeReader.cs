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
