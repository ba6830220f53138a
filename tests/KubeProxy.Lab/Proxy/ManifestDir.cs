namespace KubeProxy.Lab.Proxy;

/// <summary>
/// A temporary directory of YAML manifests for <c>kube-proxy --manifests DIR</c>. Files appear atomically
/// (written beside the directory, then renamed in), so a watcher never reads half a file. Removed on dispose.
/// </summary>
public sealed class ManifestDir : IAsyncDisposable, IDisposable
{
    private readonly string _staging;

    private ManifestDir(string path, string staging)
    {
        Path = path;
        _staging = staging;
    }

    public string Path { get; }

    public static ManifestDir Create(string prefix = "kpl-")
    {
        var root = Directory.CreateTempSubdirectory(prefix + "manifests-").FullName;
        var dir = new ManifestDir(System.IO.Path.Combine(root, "manifests"), System.IO.Path.Combine(root, "staging"));
        Directory.CreateDirectory(dir.Path);
        Directory.CreateDirectory(dir._staging);
        return dir;
    }

    /// <summary>Writes (or replaces) <paramref name="fileName"/> with <paramref name="yaml"/>; returns its path.</summary>
    public string Write(string fileName, string yaml)
    {
        var target = Target(fileName);
        var staged = System.IO.Path.Combine(_staging, $"{Guid.NewGuid():N}-{fileName}");
        File.WriteAllText(staged, yaml);
        File.Move(staged, target, overwrite: true);
        return target;
    }

    /// <summary>Writes a manifest (Service, EndpointSlice, Node, ServiceCIDR) under its natural file name.</summary>
    public string Write(Manifests.IManifest manifest) => Write(manifest.FileName, manifest.ToYaml());

    /// <summary>Removes a manifest written under its natural file name.</summary>
    public bool Delete(Manifests.IManifest manifest) => Delete(manifest.FileName);

    public string Read(string fileName) => File.ReadAllText(Target(fileName));

    public bool Delete(string fileName)
    {
        var target = Target(fileName);
        if (!File.Exists(target))
        {
            return false;
        }

        File.Delete(target);
        return true;
    }

    public IReadOnlyList<string> Files => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).OfType<string>().Order().ToList();

    public void Dispose()
    {
        var root = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => Path;

    private string Target(string fileName) =>
        fileName.Length > 0 && System.IO.Path.GetFileName(fileName) == fileName && !fileName.StartsWith('.')
            ? System.IO.Path.Combine(Path, fileName)
            : throw new ArgumentException($"'{fileName}' must be a plain file name", nameof(fileName));
}
