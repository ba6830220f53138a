using System.Diagnostics.CodeAnalysis;
using k8s;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// Builds the API client the way upstream kube-proxy does (cmd/kube-proxy createClient): a kubeconfig file (its
/// current context, with client certificates, bearer tokens or exec plugins as KubernetesClient supports them) with
/// --master overriding its server; --master alone; or, with neither, the in-cluster service account when running in a
/// pod. Requests go through a token bucket of --kube-api-qps / --kube-api-burst.
/// </summary>
public static class KubernetesConnection
{
    /// <summary>Upstream's defaults for clientConnection.qps and burst (a zero in the config means these).</summary>
    public const float DefaultQps = 5;

    public const int DefaultBurst = 10;

    /// <summary>
    /// Creates the client, or says why it cannot. A qps of 0 means the default; a negative qps turns limiting off.
    /// The error names what to pass when nothing is configured.
    /// </summary>
    public static bool TryCreate(string? kubeconfigPath, string? master, float qps, int burst,
        [NotNullWhen(true)] out IKubernetes? client, [NotNullWhen(false)] out string? error) =>
        TryCreate(kubeconfigPath, master, qps, burst, TimeProvider.System, out client, out error);

    internal static bool TryCreate(string? kubeconfigPath, string? master, float qps, int burst, TimeProvider time,
        [NotNullWhen(true)] out IKubernetes? client, [NotNullWhen(false)] out string? error)
    {
        client = null;
        if (!TryBuildConfiguration(kubeconfigPath, master, out var config, out error)) return false;
        try
        {
            var handlers = qps < 0
                ? []
                : new DelegatingHandler[]
                {
                    new RateLimitingHandler(new TokenBucketRateLimiter(qps == 0 ? DefaultQps : qps, burst <= 0 ? DefaultBurst : burst, time)),
                };
            client = new k8s.Kubernetes(config, handlers);
            return true;
        }
        catch (Exception e)
        {
            error = $"cannot create a client for the API server {config.Host}: {e.Message}";
            return false;
        }
    }

    internal static bool TryBuildConfiguration(string? kubeconfigPath, string? master,
        [NotNullWhen(true)] out KubernetesClientConfiguration? config, [NotNullWhen(false)] out string? error)
    {
        config = null;
        error = null;
        var hasMaster = !string.IsNullOrWhiteSpace(master);
        try
        {
            if (!string.IsNullOrWhiteSpace(kubeconfigPath))
            {
                if (!File.Exists(kubeconfigPath))
                {
                    error = $"the kubeconfig file {kubeconfigPath} does not exist";
                    return false;
                }
                config = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath, masterUrl: hasMaster ? master : null);
            }
            else if (hasMaster)
            {
                config = new KubernetesClientConfiguration { Host = master };
            }
            else if (KubernetesClientConfiguration.IsInCluster())
            {
                config = KubernetesClientConfiguration.InClusterConfig();
            }
            else
            {
                error = "no Kubernetes API server is configured: pass --kubeconfig (or clientConnection.kubeconfig in the " +
                    "--config file) or --master, run in a pod with a service account (in-cluster config), or pass " +
                    "--manifests to run from a manifest directory without an API server";
                return false;
            }
            return true;
        }
        catch (Exception e)
        {
            error = string.IsNullOrWhiteSpace(kubeconfigPath)
                ? $"cannot load the in-cluster configuration: {e.Message}"
                : $"cannot load the kubeconfig file {kubeconfigPath}: {e.Message}";
            config = null;
            return false;
        }
    }
}
