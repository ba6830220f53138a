using System.Text;

namespace KubeProxy.Lab.ApiServer;

/// <summary>A minimal kubeconfig (one cluster, one user, one context) for kube-proxy's <c>--kubeconfig</c>.</summary>
public static class KubeconfigFile
{
    public static string Render(Uri server, string? bearerToken)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("apiVersion: v1");
        yaml.AppendLine("kind: Config");
        yaml.AppendLine("clusters:");
        yaml.AppendLine("- name: lab");
        yaml.AppendLine("  cluster:");
        yaml.Append("    server: \"").Append(server.ToString().TrimEnd('/')).AppendLine("\"");
        yaml.AppendLine("users:");
        yaml.AppendLine("- name: lab");
        yaml.AppendLine("  user:");
        if (bearerToken is not null)
        {
            yaml.Append("    token: \"").Append(bearerToken).AppendLine("\"");
        }

        yaml.AppendLine("contexts:");
        yaml.AppendLine("- name: lab");
        yaml.AppendLine("  context:");
        yaml.AppendLine("    cluster: lab");
        yaml.AppendLine("    user: lab");
        yaml.AppendLine("current-context: lab");
        return yaml.ToString();
    }

    /// <summary>Writes the kubeconfig to <paramref name="path"/>; put it in a private directory, it may hold a token.</summary>
    public static void Write(string path, Uri server, string? bearerToken) => File.WriteAllText(path, Render(server, bearerToken));
}
