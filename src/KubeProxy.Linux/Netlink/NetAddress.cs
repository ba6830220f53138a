using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// An IPv4 or IPv6 address as a 17-byte value: what netlink attributes carry, comparable and hashable without
/// allocating (an <see cref="IPAddress"/> per conntrack entry would be a million allocations on a busy node).
/// </summary>
public readonly struct NetAddress : IEquatable<NetAddress>
{
    // Network byte order folded into two big-endian words; IPv4 lives in the low 32 bits of _low.
    private readonly ulong _high;
    private readonly ulong _low;
    private readonly bool _isIPv6;

    private NetAddress(ulong high, ulong low, bool isIPv6)
    {
        _high = high;
        _low = low;
        _isIPv6 = isIPv6;
    }

    public bool IsIPv6 => _isIPv6;

    /// <summary>The address bits (IPv4 in the low 32 bits of <see cref="Low"/>), for compact keys.</summary>
    internal ulong High => _high;

    internal ulong Low => _low;

    /// <summary>Bytes on the wire: 4 or 16.</summary>
    public int Length => _isIPv6 ? 16 : 4;

    public AddressFamily AddressFamily => _isIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    /// <summary>Reads 4 (IPv4) or 16 (IPv6) bytes in network order.</summary>
    public static NetAddress FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 => new NetAddress(0, BinaryPrimitives.ReadUInt32BigEndian(bytes), false),
        16 => new NetAddress(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), true),
        _ => throw new ArgumentException($"an IP address has 4 or 16 bytes, not {bytes.Length}", nameof(bytes)),
    };

    public static NetAddress FromIPAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written)) throw new ArgumentException("unexpected address size", nameof(address));
        return FromBytes(bytes[..written]);
    }

    public static NetAddress Parse(string text) => FromIPAddress(IPAddress.Parse(text));

    /// <summary>Writes the address in network order; returns the number of bytes written.</summary>
    public int WriteTo(Span<byte> destination)
    {
        if (_isIPv6)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
            return 16;
        }
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
        return 4;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        var n = WriteTo(bytes);
        return new IPAddress(bytes[..n]);
    }

    public bool Equals(NetAddress other) => _low == other._low && _high == other._high && _isIPv6 == other._isIPv6;

    public override bool Equals(object? obj) => obj is NetAddress other && Equals(other);

    // Cheap and good enough for addresses (a dump hashes one per entry); the family bit keeps ::a.b.c.d apart from a.b.c.d.
    public override int GetHashCode()
    {
        var mixed = (_low ^ (_high * 0x9E3779B97F4A7C15UL)) * 0xFF51AFD7ED558CCDUL;
        return (int)(mixed >> 32) ^ (int)mixed ^ (_isIPv6 ? 0x5bd1e995 : 0);
    }

    public static bool operator ==(NetAddress left, NetAddress right) => left.Equals(right);

    public static bool operator !=(NetAddress left, NetAddress right) => !left.Equals(right);

    public override string ToString() => ToIPAddress().ToString();
}
