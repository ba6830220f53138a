using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace KubeProxy.Linux.Netlink;

/// <summary>One attribute viewed in place. Getters check the payload size and read host or network order as named.</summary>
public readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> payload)
    {
        RawType = rawType;
        Payload = payload;
    }

    /// <summary>nla_type including the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits.</summary>
    public ushort RawType { get; }

    /// <summary>The attribute type without flag bits.</summary>
    public ushort Type => (ushort)(RawType & NetlinkLayout.TypeMask);

    public bool IsNested => (RawType & NetlinkLayout.Nested) != 0;

    public ReadOnlySpan<byte> Payload { get; }

    public NetlinkAttributeReader Nested => new(Payload);

    public byte GetU8() => Need(1)[0];

    public ushort GetU16() => MemoryMarshal.Read<ushort>(Need(2));

    public uint GetU32() => MemoryMarshal.Read<uint>(Need(4));

    public ulong GetU64() => MemoryMarshal.Read<ulong>(Need(8));

    public ushort GetU16BigEndian() => BinaryPrimitives.ReadUInt16BigEndian(Need(2));

    public uint GetU32BigEndian() => BinaryPrimitives.ReadUInt32BigEndian(Need(4));

    public ulong GetU64BigEndian() => BinaryPrimitives.ReadUInt64BigEndian(Need(8));

    public NetAddress GetAddress() => Payload.Length is 4 or 16
        ? NetAddress.FromBytes(Payload)
        : throw new InvalidDataException($"attribute {Type}: {Payload.Length} bytes is not an IP address");

    /// <summary>A string, without the trailing NUL if present.</summary>
    public string GetString()
    {
        var bytes = Payload;
        var nul = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? bytes[..nul] : bytes);
    }

    private ReadOnlySpan<byte> Need(int size) => Payload.Length >= size
        ? Payload
        : throw new InvalidDataException($"attribute {Type}: {Payload.Length} bytes, expected {size}");
}
