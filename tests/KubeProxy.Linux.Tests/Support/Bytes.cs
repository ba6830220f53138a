namespace KubeProxy.Linux.Tests.Support;

/// <summary>
/// Builds netlink bytes by hand, independently of the code under test: attr(type, payload) pads to 4 bytes,
/// nest(type, children) sets NLA_F_NESTED, message(...) prepends a 16-byte header. Integers little-endian
/// (host order on x86-64 and arm64) unless written as explicit big-endian bytes.
/// </summary>
internal static class Bytes
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("\n", "").Replace("|", ""));

    public static byte[] Attr(ushort type, params byte[] payload)
    {
        var length = 4 + payload.Length;
        var padded = (length + 3) & ~3;
        var bytes = new byte[padded];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), (ushort)length);
        BitConverter.TryWriteBytes(bytes.AsSpan(2), type);
        payload.CopyTo(bytes, 4);
        return bytes;
    }

    public static byte[] Nest(ushort type, params byte[][] children)
    {
        var body = children.SelectMany(c => c).ToArray();
        var bytes = new byte[4 + body.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), (ushort)bytes.Length);
        BitConverter.TryWriteBytes(bytes.AsSpan(2), (ushort)(type | 0x8000));
        body.CopyTo(bytes, 4);
        return bytes;
    }

    public static byte[] Message(ushort type, ushort flags, uint sequence, uint portId, params byte[][] body)
    {
        var payload = body.SelectMany(b => b).ToArray();
        var bytes = new byte[16 + payload.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), (uint)bytes.Length);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), type);
        BitConverter.TryWriteBytes(bytes.AsSpan(6), flags);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), sequence);
        BitConverter.TryWriteBytes(bytes.AsSpan(12), portId);
        payload.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] BE16(ushort value) => [(byte)(value >> 8), (byte)value];

    public static byte[] BE32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] IP(string address) => System.Net.IPAddress.Parse(address).GetAddressBytes();
}
