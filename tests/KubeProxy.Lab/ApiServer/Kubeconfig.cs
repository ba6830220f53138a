using System.Text;
using System.Text.Json;

namespace KubeProxy.Lab.ApiServer;

/// <summary>A minimal kubeconfig file for a lab kube-proxy: one cluster, one user, one context.</summary>
public static class Kubeconfig
{
    /// <summary>
    /// Writes the file. KubernetesClient refuses a user without credentials, so there is always a token; the test
    /// server checks it only when it was started with one.
    /// </summary>
    public static void Write(string path, Uri server, string bearerToken)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: v1");
        yaml.AppendLine("kind: Config");
        yaml.AppendLine("clusters:");
        yaml.AppendLine("- name: lab");
        yaml.AppendLine("  cluster:");
        yaml.Append("    server: ").AppendLine(Quote(server.ToString().TrimEnd('/')));
        yaml.AppendLine("users:");
        yaml.AppendLine("- name: lab");
        yaml.AppendLine("  user:");
        yaml.Append("    token: ").AppendLine(Quote(bearerToken));

        yaml.AppendLine("contexts:");
        yaml.AppendLine("- name: lab");
        yaml.AppendLine("  context:");
        yaml.AppendLine("    cluster: lab");
        yaml.AppendLine("    user: lab");
        yaml.AppendLine("current-context: lab");
        File.WriteAllText(path, yaml.ToString());
    }

    /// <summary>A JSON string is a valid YAML double-quoted scalar: nothing in a value can break the file.</summary>
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
