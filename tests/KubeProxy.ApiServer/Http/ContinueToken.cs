using System.Text;
using System.Text.Json;

namespace KubeProxy.ApiServer.Http;

/// <summary>
/// A list continuation: the resourceVersion of the snapshot being paged and the key to resume at. Encoded like the real
/// server's (base64 JSON), opaque to clients.
/// </summary>
internal readonly record struct ContinueToken(long ResourceVersion, string Start)
{
    private sealed record Wire(string V, long Rv, string Start);

    public string Encode() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new Wire("meta.k8s.io/v1", ResourceVersion, Start), JsonOptions)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string text, out ContinueToken token)
    {
        token = default;
        try
        {
            var b64 = text.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var wire = JsonSerializer.Deserialize<Wire>(Convert.FromBase64String(b64), JsonOptions);
            if (wire is null || wire.V != "meta.k8s.io/v1") return false;
            token = new ContinueToken(wire.Rv, wire.Start);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
