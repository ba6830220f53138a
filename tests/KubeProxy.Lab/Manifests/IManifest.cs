namespace KubeProxy.Lab.Manifests;

/// <summary>A Kubernetes object a test writes into a manifest directory.</summary>
public interface IManifest
{
    /// <summary>The file it naturally lives in, unique per kind, namespace and name.</summary>
    string FileName { get; }

    string ToYaml();
}
