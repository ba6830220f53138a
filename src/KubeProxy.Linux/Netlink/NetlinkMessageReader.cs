using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>Walks the messages of one received datagram: <c>foreach (var m in new NetlinkMessageReader(data))</c>.</summary>
public ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        Current = default;
    }

    public NetlinkMessage Current { get; private set; }

    public readonly NetlinkMessageReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.Length < NetlinkLayout.MessageHeaderSize)
        {
            if (_remaining.Length != 0) throw new InvalidDataException($"{_remaining.Length} trailing bytes after the last netlink message");
            return false;
        }
        var length = MemoryMarshal.Read<uint>(_remaining);
        if (length < NetlinkLayout.MessageHeaderSize || length > _remaining.Length)
            throw new InvalidDataException($"netlink message length {length} outside the {_remaining.Length} bytes received");
        var type = MemoryMarshal.Read<ushort>(_remaining[4..]);
        var flags = (NetlinkMessageFlags)MemoryMarshal.Read<ushort>(_remaining[6..]);
        var sequence = MemoryMarshal.Read<uint>(_remaining[8..]);
        var portId = MemoryMarshal.Read<uint>(_remaining[12..]);
        Current = new NetlinkMessage(type, flags, sequence, portId, _remaining[NetlinkLayout.MessageHeaderSize..(int)length]);
        var advance = Math.Min(NetlinkLayout.Align((int)length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}
