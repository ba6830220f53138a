using System.Security.Cryptography;
using System.Text;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Nftables.Rendering;

/// <summary>
/// Chain and set names as upstream's nftables proxier forms them, so operators' tooling and muscle memory carry
/// over: <c>service-H8-ns/svc/proto/port</c>, <c>endpoint-H8-ns/svc/proto/port__IP/port</c>, where H8 is the first
/// eight characters of base32(sha256(readable part)). Namespace, Service and port names are DNS labels (validated at
/// the source) and IPv6 colons become dots, so every character is legal in an nft identifier.
/// </summary>
public static class ChainNames
{
    private const int MaxLength = 240;

    public static string ServiceBase(ServicePortName name) =>
        $"{name.Service.Namespace}/{name.Service.Name}/{name.Protocol.Lower()}/{name.Port}";

    public static string EndpointBase(ServicePortName name, EndpointInfo endpoint) =>
        $"{ServiceBase(name)}__{AddressText.Of(endpoint.IP).Replace(':', '.')}/{endpoint.Port}";

    public static string Service(ServicePortName name) => HashAndTruncate("service-", ServiceBase(name));

    public static string Local(ServicePortName name) => HashAndTruncate("local-", ServiceBase(name));

    public static string External(ServicePortName name) => HashAndTruncate("external-", ServiceBase(name));

    /// <summary>Firewall chains are the one kind of Service chain reached from the main table (see ServiceTables).</summary>
    public const string FirewallPrefix = "firewall-";

    public static string Firewall(ServicePortName name) => HashAndTruncate(FirewallPrefix, ServiceBase(name));

    public static string Endpoint(ServicePortName name, EndpointInfo endpoint) => HashAndTruncate("endpoint-", EndpointBase(name, endpoint));

    public static string Affinity(ServicePortName name, EndpointInfo endpoint) => HashAndTruncate("affinity-", EndpointBase(name, endpoint));

    public static string HashAndTruncate(string name) => HashAndTruncate("", name);

    /// <summary>
    /// <paramref name="prefix"/> + H8 + "-" + <paramref name="name"/>, the part after the prefix cut to
    /// <see cref="MaxLength"/> with "...".
    /// A full sync forms one or more of these per Service port and endpoint (tens of thousands at scale), so it is
    /// built in one allocation: the UTF-8 input and the characters live on the stack, and the SHA-256 state is reused
    /// per thread instead of set up for every name (measured 1.1 → 0.8 µs per hash alone).
    /// </summary>
    private static string HashAndTruncate(string prefix, string name)
    {
        Span<byte> hash = stackalloc byte[32];
        var byteCount = Encoding.UTF8.GetByteCount(name);
        var utf8 = byteCount <= 512 ? stackalloc byte[512] : new byte[byteCount];
        var written = Encoding.UTF8.GetBytes(name, utf8);
        var sha = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(utf8[..written]);
        sha.GetHashAndReset(hash);
        ulong bits = 0;
        for (var i = 0; i < 5; i++) bits = (bits << 8) | hash[i];

        // The limit applies to H8 + "-" + name; the prefix comes on top (as it always has: names must not change).
        var hashedLength = 9 + name.Length;
        var length = prefix.Length + Math.Min(hashedLength, MaxLength);
        return string.Create(length, (prefix, name, bits, cut: hashedLength > MaxLength), static (chars, state) =>
        {
            state.prefix.CopyTo(chars);
            var at = state.prefix.Length;
            Base32Prefix(state.bits, chars.Slice(at, 8));
            at += 8;
            chars[at++] = '-';
            var rest = chars[at..];
            if (state.cut)
            {
                state.name.AsSpan(0, rest.Length - 3).CopyTo(rest);
                "...".CopyTo(rest[^3..]);
            }
            else
            {
                state.name.CopyTo(rest);
            }
        });
    }

    /// <summary>The first 8 characters of RFC 4648 base32 of the 40 bits in <paramref name="bits"/> (5 bytes → 8
    /// characters).</summary>
    private static void Base32Prefix(ulong bits, Span<char> chars)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        for (var i = 7; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }
    }

    [ThreadStatic]
    private static IncrementalHash? _sha256;
}
