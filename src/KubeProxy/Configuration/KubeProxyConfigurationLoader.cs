using System.Security.Cryptography;
using System.Text;

namespace KubeProxy.Configuration;

/// <summary>A decoded and defaulted config file, what decoding had to say about it, and its content hash.</summary>
public sealed record ConfigLoadResult(KubeProxyConfiguration Configuration, IReadOnlyList<string> Warnings, string ContentHash);

/// <summary>
/// Loads a <c>KubeProxyConfiguration</c> file (YAML or JSON) as upstream does: decode strictly, and when the
/// only problems are unknown or duplicate fields, go on with the leniently decoded v1alpha1 object and report
/// the strict error as a warning ("Using lenient decoding as strict decoding failed"), so files written for
/// other releases still start. Pass <c>strict: true</c> to turn those into errors. Defaults are applied.
/// </summary>
public static class KubeProxyConfigurationLoader
{
    /// <exception cref="ConfigurationException">Unreadable file, malformed YAML, wrong apiVersion/kind, wrong types.</exception>
    public static ConfigLoadResult LoadFile(string path, bool strict = false)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"failed to read config file \"{path}\": {e.Message}", e);
        }

        return Parse(bytes, strict);
    }

    public static ConfigLoadResult Parse(string text, bool strict = false) => Parse(Encoding.UTF8.GetBytes(text), strict);

    public static ConfigLoadResult Parse(byte[] bytes, bool strict = false)
    {
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes).TrimStart('\uFEFF');
        var problems = new ConfigDecodeProblems();
        var root = YamlTreeReader.Read(text, problems.DuplicateFields);
        var configuration = KubeProxyConfigurationDecoder.Decode(root, problems);

        var warnings = new List<string>();
        if (problems.HasStrictErrors)
        {
            if (strict)
            {
                throw new ConfigurationException("failed to decode config file: " + problems.StrictErrorMessage);
            }

            warnings.Add("Using lenient decoding as strict decoding failed: " + problems.StrictErrorMessage);
        }

        KubeProxyConfigurationDefaults.Apply(configuration);
        return new ConfigLoadResult(configuration, warnings, Hash(bytes));
    }

    /// <summary>The SHA-256 of a file's bytes, lower-case hex; what <see cref="ConfigFileWatcher"/> compares.</summary>
    public static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
