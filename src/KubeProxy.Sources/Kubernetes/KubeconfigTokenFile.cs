using YamlDotNet.Serialization;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// Finds the <c>tokenFile</c> of the current context's user in a kubeconfig. KubernetesClient's kubeconfig model has
/// no such field and silently drops it, which would leave kube-proxy unauthenticated with kubeadm's kubeconfig.conf.
/// A relative path is taken relative to the kubeconfig's directory, as client-go does.
/// </summary>
internal static class KubeconfigTokenFile
{
    /// <summary>The current context's user name and its token file, or null when that user has no tokenFile.</summary>
    public static (string User, string Path)? FindForCurrentUser(string kubeconfigPath)
    {
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object?>>(File.ReadAllText(kubeconfigPath));
        if (root is null || Get(root, "current-context") is not string context) return null;
        var user = Named(root, "contexts", context) is { } ctx && Get(ctx, "context") is Dictionary<object, object?> c
            ? Get(c, "user") as string
            : null;
        if (user is null || Named(root, "users", user) is not { } entry || Get(entry, "user") is not Dictionary<object, object?> credentials)
        {
            return null;
        }
        if (Get(credentials, "tokenFile") is not string { Length: > 0 } tokenFile) return null;
        return (user, System.IO.Path.IsPathRooted(tokenFile)
            ? tokenFile
            : System.IO.Path.GetFullPath(tokenFile, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(kubeconfigPath))!));
    }

    public static string? Find(string kubeconfigPath) => FindForCurrentUser(kubeconfigPath)?.Path;

    private static object? Get(Dictionary<object, object?> map, string key) => map.TryGetValue(key, out var value) ? value : null;

    private static Dictionary<object, object?>? Named(Dictionary<object, object?> root, string list, string name) =>
        (Get(root, list) as List<object?>)?.OfType<Dictionary<object, object?>>().FirstOrDefault(e => Get(e, "name") as string == name);
}
