using System.Text.Json.Serialization;

namespace KubeProxy.Http;

/// <summary>Source-generated JSON for the HTTP bodies (camelCase, as upstream's Go structs serialise).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ServiceHealthServers.Body))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
