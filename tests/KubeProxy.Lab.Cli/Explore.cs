using System.Text;
using KubeProxy.Lab.Cluster;

namespace KubeProxy.Lab.Cli;

/// <summary>What `scripts/lab up` prints: the hosts with their namespaces and addresses, and commands to try.</summary>
internal static class Explore
{
    public static string Text(ClusterLab cluster, int objects, string? manifests)
    {
        var lab = cluster.Lab;
        var text = new StringBuilder();
        text.AppendLine($"lab {lab.Prefix} is up: {cluster.Nodes.Count} nodes, kube-proxy --proxy-mode {cluster.Mode} on each,");
        text.AppendLine($"the API test server on 127.0.0.1:6443 inside every node ({objects} objects from {manifests ?? "no manifest directory"}).");
        text.AppendLine();
        text.AppendLine($"{"host",-9} {"namespace",-24} {"IPv4",-16} IPv6");
        foreach (var host in lab.Hosts)
        {
            var pods = host is LabNode node ? $"   pods {string.Join(", ", node.Pods.Select(p => p.Name))}" : "";
            text.AppendLine($"{host.Name,-9} {host.Namespace.Name,-24} {host.IPv4,-16} {host.IPv6}{pods}");
        }

        var client = lab.Clients[0].Namespace.Name;
        var node1 = lab.Nodes[0].Namespace.Name;
        var pod = lab.Pods[^1].Namespace.Name;
        text.AppendLine();
        text.AppendLine("Every pod runs an echo server (TCP 80, 8080, 8443, 5353; UDP 53, 80, 5353) that answers one line:");
        text.AppendLine("its name, the address it was reached on and the source it saw. Try:");
        text.AppendLine($"  ip netns exec {client} curl -s --http0.9 http://198.19.0.10/          # ClusterIP web, via the router to node-1");
        text.AppendLine($"  ip netns exec {client} curl -s --http0.9 http://198.19.200.10/        # LoadBalancer web-lb");
        text.AppendLine($"  ip netns exec {client} curl -s --http0.9 http://198.18.0.12:30080/    # NodePort web-nodeport on node-3");
        text.AppendLine($"  ip netns exec {pod} curl -s --http0.9 http://198.19.0.10/             # from a pod on node-3");
        text.AppendLine($"  ip netns exec {pod} curl -s --http0.9 'http://[fd00:198:19::16]/'     # dual-stack web-dual over IPv6");
        text.AppendLine($"  ip netns exec {node1} nft list ruleset                                 # what kube-proxy programmed on node-1");
        text.AppendLine($"  ip netns exec {node1} curl -s http://127.0.0.1:10249/metrics            # its metrics");
        text.AppendLine($"  ip netns exec {node1} kubectl --kubeconfig {cluster.Api.KubeconfigPath} get --raw /api/v1/services");
        text.AppendLine($"  scripts/lab show {lab.Run.Id} node-1                                   # addresses, routes, ruleset");
        text.AppendLine();
        text.AppendLine("Stop with Ctrl-C or `scripts/lab down`: every namespace, process and the API server go away.");
        return text.ToString();
    }
}
