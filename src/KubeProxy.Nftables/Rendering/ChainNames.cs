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
        $"{ServiceBase(name)}__{endpoint.IP.ToString().Replace(':', '.')}/{endpoint.Port}";

    public static string Service(ServicePortName name) => "service-" + HashAndTruncate(ServiceBase(name));

    public static string Local(ServicePortName name) => "local-" + HashAndTruncate(ServiceBase(name));

    public static string External(ServicePortName name) => "external-" + HashAndTruncate(ServiceBase(name));

    public static string Firewall(ServicePortName name) => "firewall-" + HashAndTruncate(ServiceBase(name));

    public static string Endpoint(ServicePortName name, EndpointInfo endpoint) => "endpoint-" + HashAndTruncate(EndpointBase(name, endpoint));

    public static string Affinity(ServicePortName name, EndpointInfo endpoint) => "affinity-" + HashAndTruncate(EndpointBase(name, endpoint));

    public static string HashAndTruncate(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var result = Base32Prefix(hash) + "-" + name;
        return result.Length > MaxLength ? result[..(MaxLength - 3)] + "..." : result;
    }

    /// <summary>The first 8 characters of RFC 4648 base32 (5 bytes → 8 characters).</summary>
    private static string Base32Prefix(ReadOnlySpan<byte> data)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ulong bits = 0;
        for (var i = 0; i < 5; i++) bits = (bits << 8) | data[i];
        Span<char> chars = stackalloc char[8];
        for (var i = 7; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }
        return new string(chars);
    }
}
