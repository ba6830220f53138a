using System.Security.Cryptography;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Manifests;

public sealed partial class ManifestSource
{
    private const string DefaultNamespace = "default";

    private readonly Dictionary<string, ManifestFile> _files = new(StringComparer.Ordinal);
    private bool _directoryUnreadable;

    /// <summary>*.yaml, *.yml and *.json; not dotfiles nor editor leftovers (#autosave#, backup~ end in other suffixes).</summary>
    internal static bool IsManifestFileName(string name) =>
        name.Length > 0 && name[0] is not ('.' or '#' or '~') &&
        (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ||
         name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
         name.EndsWith(".json", StringComparison.OrdinalIgnoreCase));

    /// <summary>The cheap check of the periodic rescan: a file appeared, went, or changed size or time.</summary>
    private bool AnyFileChanged()
    {
        try
        {
            var count = 0;
            foreach (var info in new DirectoryInfo(_directory).EnumerateFiles())
            {
                if (!IsManifestFileName(info.Name)) continue;
                count++;
                if (!_files.TryGetValue(info.FullName, out var known) || known.Fingerprint != (info.LastWriteTimeUtc, info.Length)) return true;
            }
            return count != _files.Count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Brings <see cref="_files"/> up to date; true when some file's objects changed.</summary>
    private bool RefreshFiles(bool readAll)
    {
        List<FileInfo> present;
        try
        {
            present = new DirectoryInfo(_directory).EnumerateFiles()
                .Where(f => IsManifestFileName(f.Name))
                .ToList();
            _directoryUnreadable = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_directoryUnreadable) _logger.DirectoryUnreadable(_directory, e.Message);
            _directoryUnreadable = true;
            return false;
        }

        var changed = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var info in present)
        {
            var path = info.FullName;
            seen.Add(path);
            var fingerprint = (info.LastWriteTimeUtc, info.Length);
            if (!readAll && _files.TryGetValue(path, out var known) && known.Fingerprint == fingerprint) continue;
            changed |= LoadFile(path, fingerprint);
        }
        foreach (var gone in _files.Keys.Where(p => !seen.Contains(p)).ToList())
        {
            _files.Remove(gone);
            changed = true;
        }
        return changed;
    }

    private bool LoadFile(string path, (DateTime, long) fingerprint)
    {
        _files.TryGetValue(path, out var known);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted between listing and reading: the next listing drops it.
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.ReadFailed(path, e.Message);
            if (known is not null) known.Fingerprint = fingerprint;
            return false;
        }

        var hash = SHA256.HashData(bytes);
        if (known is not null && known.Hash.AsSpan().SequenceEqual(hash))
        {
            known.Fingerprint = fingerprint;
            return false;
        }

        var record = known ?? new ManifestFile { Fingerprint = fingerprint, Hash = hash };
        record.Fingerprint = fingerprint;
        record.Hash = hash;
        _files[path] = record;
        List<ManifestDocument> documents;
        try
        {
            documents = ManifestParser.Parse(path, bytes);
        }
        catch (ManifestParseException e)
        {
            // Typically an editor caught half-way through a save: keep what worked until the file parses again.
            _logger.ParseFailed(path, e.Message);
            return false;
        }
        record.Objects = LoadObjects(path, documents);
        return true;
    }

    private List<ManifestObject> LoadObjects(string path, List<ManifestDocument> documents)
    {
        var result = new List<ManifestObject>();
        foreach (var document in documents)
        {
            var loaded = document.Kind switch
            {
                "Service" => LoadService(path, document),
                "EndpointSlice" => LoadEndpointSlice(path, document),
                "Node" => LoadNode(path, document),
                "ServiceCIDR" => LoadServiceCidr(path, document),
                "" => Invalid(path, document, "kind is required"),
                _ => Ignored(path, document),
            };
            if (loaded is not null) result.Add(loaded);
        }
        return result;
    }

    private ManifestObject? LoadService(string path, ManifestDocument document)
    {
        var service = Deserialize<V1Service>(path, document, "v1");
        if (service is null) return null;
        SetDefaultNamespace(service.Metadata ??= new V1ObjectMeta());
        if (FilteredByLabel(path, document, service.Metadata)) return null;
        var result = KubeObjectConverter.ToService(service, path);
        // Valid for the API server, which would allocate an address; here it is almost certainly a mistake.
        if (result.Value is { ClusterIPs.IsEmpty: true, IsHeadless: false, Type: not ServiceType.ExternalName } s)
            _logger.NoClusterIP(s.Name.ToString(), path);
        return Accept(path, document, result, s => new ManifestObject(ManifestKind.Service, s.Name.ToString(), s));
    }

    private ManifestObject? LoadEndpointSlice(string path, ManifestDocument document)
    {
        var slice = Deserialize<V1EndpointSlice>(path, document, "discovery.k8s.io/v1");
        if (slice is null) return null;
        SetDefaultNamespace(slice.Metadata ??= new V1ObjectMeta());
        if (FilteredByLabel(path, document, slice.Metadata)) return null;
        var result = KubeObjectConverter.ToEndpointSlice(slice, path);
        return Accept(path, document, result, s => new ManifestObject(ManifestKind.EndpointSlice, s.Name.ToString(), s));
    }

    private ManifestObject? LoadNode(string path, ManifestDocument document)
    {
        var node = Deserialize<V1Node>(path, document, "v1");
        if (node is null) return null;
        var result = KubeObjectConverter.ToNode(node, path);
        if (result.Value is { } value && value.Name != _nodeName) _logger.OtherNode(value.Name, path, _nodeName);
        return Accept(path, document, result, n => new ManifestObject(ManifestKind.Node, n.Name, n));
    }

    private ManifestObject? LoadServiceCidr(string path, ManifestDocument document)
    {
        // v1beta1 (Kubernetes 1.31-1.32) has the same fields as v1.
        var cidr = Deserialize<V1ServiceCIDR>(path, document, "networking.k8s.io/v1", "networking.k8s.io/v1beta1");
        if (cidr is null) return null;
        var result = KubeObjectConverter.ToServiceCidr(cidr, path);
        return Accept(path, document, result, c => new ManifestObject(ManifestKind.ServiceCIDR, c.Name, c));
    }

    private T? Deserialize<T>(string path, ManifestDocument document, params string[] apiVersions)
        where T : class
    {
        if (!apiVersions.Contains(document.ApiVersion))
        {
            _logger.UnsupportedApiVersion(document.Kind, document.DisplayName, path, document.Position,
                document.ApiVersion.Length == 0 ? "(none)" : document.ApiVersion, apiVersions[0]);
            return null;
        }
        try
        {
            return document.Deserialize<T>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Invalid(path, document, ShapeError(e));
            return null;
        }
    }

    /// <summary>
    /// A field of the wrong type ("port: eighty"), named by its path. Line numbers in the message would refer to
    /// the JSON made from the YAML, so they are left out; the warning gives the object's own line instead.
    /// </summary>
    private static string ShapeError(Exception e)
    {
        if (e is not System.Text.Json.JsonException { Path: { } jsonPath }) return e.Message;
        var message = e.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return $"{jsonPath.TrimStart('$').TrimStart('.')}: {message}";
    }

    private static void SetDefaultNamespace(V1ObjectMeta metadata)
    {
        if (string.IsNullOrEmpty(metadata.NamespaceProperty)) metadata.NamespaceProperty = DefaultNamespace;
    }

    /// <summary>
    /// Upstream's informers list with the selector <c>!service-proxy-name,!headless</c> for both Services and
    /// EndpointSlices, so objects with either label never reach it; the same happens here.
    /// </summary>
    private bool FilteredByLabel(string path, ManifestDocument document, V1ObjectMeta metadata)
    {
        foreach (var label in (string[])[ProxyLabels.ServiceProxyName, ProxyLabels.Headless])
        {
            if (metadata.Labels?.ContainsKey(label) == true)
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                    _logger.FilteredByLabel(document.Kind, $"{metadata.NamespaceProperty}/{document.Name}", path, label);
                return true;
            }
        }
        return false;
    }

    private ManifestObject? Accept<T>(string path, ManifestDocument document, ConversionResult<T> result, Func<T, ManifestObject> wrap)
        where T : class
    {
        if (result.Value is { } value) return wrap(value);
        if (result.Ignored) _logger.SkippedObject(document.Kind, document.DisplayName, path, result.Error ?? "");
        else Invalid(path, document, result.Error ?? "invalid");
        return null;
    }

    private ManifestObject? Invalid(string path, ManifestDocument document, string reason)
    {
        _logger.InvalidObject(document.Kind.Length == 0 ? "object" : document.Kind, document.DisplayName, path, document.Position, reason);
        return null;
    }

    private ManifestObject? Ignored(string path, ManifestDocument document)
    {
        _logger.IgnoredKind(document.ApiVersion, document.Kind, document.DisplayName, path);
        return null;
    }
}
