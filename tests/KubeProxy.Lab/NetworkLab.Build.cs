using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Processes;

namespace KubeProxy.Lab;

/// <summary>Building the topology: namespaces, sysctls, links, addresses and routes, then waiting for carrier.</summary>
public sealed partial class NetworkLab
{
    // Router-side bridges, one per network segment.
    private const string NodesBridge = "nodes";
    private const string ClientsBridge = "clients";
    private const string BlockedBridge = "blocked";

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        CreateHosts();
        // Namespaces are registered before they exist, so a failure half-way still deletes the ones made.
        await CommandRunner.RunCheckedAsync("ip", ["-batch", "-"], string.Concat(_namespaces.Select(n => $"netns add {n.Name}\n")),
            cancellationToken: cancellationToken);
        FailIfAsked("namespaces");
        Step("namespaces", started);

        // Sysctls before any link exists: new interfaces copy the "default" values (rp_filter, accept_dad).
        await Task.WhenAll(_hosts.Select(ConfigureSysctlsAsync));

        // Links: bridges first (router), then veth pairs created from the node and client side with the
        // peer end placed straight into the other lab namespace. Nothing ever exists in the root namespace.
        await Router.Namespace.IpBatchAsync(RouterBridges());
        await Task.WhenAll(Nodes.Select(n => n.Namespace.IpBatchAsync(NodeLinks(n)))
            .Concat(Clients.Concat(BlockedClients).Select((c, _) => c.Namespace.IpBatchAsync(ClientLinks(c)))));
        FailIfAsked("links");
        Step("links", started);

        await Task.WhenAll(_hosts.Select(h => h.Namespace.IpBatchAsync(Configuration(h))));
        FailIfAsked("configuration");
        Step("configuration", started);
        await WaitForCarrierAsync(cancellationToken);
        Step("carrier", started);
    }

    private void Step(string step, long started)
    {
        var elapsedMs = (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        LabLog.BuildStep(Logger, Prefix, step, elapsedMs);
    }

    private void FailIfAsked(string step)
    {
        if (Topology.FailAfterStep == step)
        {
            throw new InvalidOperationException($"failure injected after {step}");
        }
    }

    private void CreateHosts()
    {
        NetworkNamespace Namespace(string name)
        {
            var ns = new NetworkNamespace(Prefix + name);
            _namespaces.Add(ns);
            return ns;
        }

        Router = new LabHost(this, LabTopology.RouterName, LabHostKind.Router, Namespace(LabTopology.RouterName),
            LabAddresses.RouterNodeSideV4, LabAddresses.RouterNodeSideV6);
        _hosts.Add(Router);
        for (var i = 0; i < Topology.Nodes.Count; i++)
        {
            var spec = Topology.Nodes[i];
            var node = new LabNode(this, spec.Name, i, Namespace(spec.Name));
            _hosts.Add(node);
            for (var j = 0; j < spec.Pods.Count; j++)
            {
                var pod = new LabPod(this, spec.Pods[j], node, j, Namespace(spec.Pods[j]));
                node.Add(pod);
                _hosts.Add(pod);
            }
        }

        for (var k = 0; k < Topology.Clients.Count; k++)
        {
            _hosts.Add(new LabHost(this, Topology.Clients[k], LabHostKind.Client, Namespace(Topology.Clients[k]),
                LabAddresses.ClientV4(k), LabAddresses.ClientV6(k)));
        }

        for (var k = 0; k < Topology.BlockedClients.Count; k++)
        {
            _hosts.Add(new LabHost(this, Topology.BlockedClients[k], LabHostKind.BlockedClient, Namespace(Topology.BlockedClients[k]),
                LabAddresses.BlockedClientV4(k), LabAddresses.BlockedClientV6(k)));
        }
    }

    private static async Task ConfigureSysctlsAsync(LabHost host)
    {
        var sysctls = new List<(string Key, string Value)>
        {
            // Asymmetric paths are normal here (client -> router -> node -> pod, replies via defaults).
            ("net.ipv4.conf.all.rp_filter", "0"),
            ("net.ipv4.conf.default.rp_filter", "0"),
            // No duplicate address detection: addresses are usable at once, no tentative window.
            ("net.ipv6.conf.all.accept_dad", "0"),
            ("net.ipv6.conf.default.accept_dad", "0"),
        };
        if (host.Kind is LabHostKind.Router or LabHostKind.Node)
        {
            sysctls.Add(("net.ipv4.ip_forward", "1"));
            sysctls.Add(("net.ipv6.conf.all.forwarding", "1"));
        }

        // On a node, bridged pod-to-pod packets must see the ip/ip6 hooks (br_netfilter), as on a real node with
        // a bridge CNI: a pod -> ClusterIP -> pod on the same bridge needs conntrack to undo the DNAT on the
        // reply. The router's bridges are plain switches.
        var bridgeHooks = host.Kind == LabHostKind.Node ? "1" : "0";
        if (host.Kind is LabHostKind.Router or LabHostKind.Node)
        {
            sysctls.Add(("net.bridge.bridge-nf-call-iptables", bridgeHooks));
            sysctls.Add(("net.bridge.bridge-nf-call-ip6tables", bridgeHooks));
        }

        await host.Namespace.RunAsync(() =>
        {
            foreach (var (key, value) in sysctls)
            {
                try
                {
                    File.WriteAllText("/proc/sys/" + key.Replace('.', '/'), value);
                }
                catch (IOException e)
                {
                    throw new IOException($"sysctl {key}={value} in {host.Namespace.Name}: {e.Message}", e);
                }
            }
        });
    }

    private IEnumerable<string> RouterBridges()
    {
        yield return $"link add {NodesBridge} type bridge mcast_snooping 0";
        if (Clients.Count > 0)
        {
            yield return $"link add {ClientsBridge} type bridge mcast_snooping 0";
        }

        if (BlockedClients.Count > 0)
        {
            yield return $"link add {BlockedBridge} type bridge mcast_snooping 0";
        }
    }

    private IEnumerable<string> NodeLinks(LabNode node)
    {
        yield return $"link add {LabNode.PodBridge} type bridge mcast_snooping 0";
        foreach (var pod in node.Pods)
        {
            yield return $"link add {pod.NodeSideInterface} type veth peer name eth0 netns {pod.Namespace.Name}";
        }

        yield return $"link add {LabNode.Uplink} type veth peer name {RouterPort(node)} netns {Router.Namespace.Name}";
    }

    private IEnumerable<string> ClientLinks(LabHost client)
    {
        yield return $"link add eth0 type veth peer name {RouterPort(client)} netns {Router.Namespace.Name}";
    }

    private string RouterPort(LabHost host) => host switch
    {
        LabNode node => $"n{node.Index}",
        { Kind: LabHostKind.Client } => $"c{Clients.ToList().IndexOf(host)}",
        { Kind: LabHostKind.BlockedClient } => $"b{BlockedClients.ToList().IndexOf(host)}",
        _ => throw new ArgumentException($"{host} has no router port", nameof(host)),
    };

    private IEnumerable<string> Configuration(LabHost host)
    {
        yield return "link set lo up";
        var lines = host switch
        {
            LabNode node => NodeConfiguration(node),
            LabPod pod => Leaf("eth0", $"{pod.IPv4}/24", $"{pod.IPv6}/64", pod.Node.PodGatewayV4.ToString(), pod.Node.PodGatewayV6.ToString()),
            { Kind: LabHostKind.Client } => Leaf("eth0", $"{host.IPv4}/24", $"{host.IPv6}/64",
                LabAddresses.RouterClientSideV4.ToString(), LabAddresses.RouterClientSideV6.ToString()),
            { Kind: LabHostKind.BlockedClient } => Leaf("eth0", $"{host.IPv4}/24", $"{host.IPv6}/64",
                LabAddresses.RouterBlockedSideV4.ToString(), LabAddresses.RouterBlockedSideV6.ToString()),
            _ => RouterConfiguration(),
        };
        foreach (var line in lines)
        {
            yield return line;
        }
    }

    private static IEnumerable<string> Leaf(string device, string v4, string v6, string gateway4, string gateway6) =>
    [
        $"addr add {v4} dev {device}",
        $"addr add {v6} dev {device} nodad",
        $"link set {device} up",
        $"route add default via {gateway4}",
        $"route add default via {gateway6}",
    ];

    private IEnumerable<string> NodeConfiguration(LabNode node)
    {
        yield return $"addr add {node.PodGatewayV4}/24 dev {LabNode.PodBridge}";
        yield return $"addr add {node.PodGatewayV6}/64 dev {LabNode.PodBridge} nodad";
        yield return $"link set {LabNode.PodBridge} up";
        foreach (var pod in node.Pods)
        {
            yield return $"link set {pod.NodeSideInterface} master {LabNode.PodBridge}";
            // Hairpin, as a CNI bridge with hairpinMode: a pod reaching itself through a Service gets its packet back.
            yield return $"link set {pod.NodeSideInterface} type bridge_slave hairpin on";
            yield return $"link set {pod.NodeSideInterface} up";
        }

        yield return $"addr add {node.IPv4}/24 dev {LabNode.Uplink}";
        yield return $"addr add {node.IPv6}/64 dev {LabNode.Uplink} nodad";
        yield return $"link set {LabNode.Uplink} up";
        yield return $"route add default via {LabAddresses.RouterNodeSideV4}";
        yield return $"route add default via {LabAddresses.RouterNodeSideV6}";
        foreach (var other in Nodes.Where(n => n != node))
        {
            // Other nodes' pods directly over the node network (host-gw style), not via the router.
            yield return $"route add {other.PodCidrV4} via {other.IPv4}";
            yield return $"route add {other.PodCidrV6} via {other.IPv6}";
        }
    }

    private IEnumerable<string> RouterConfiguration()
    {
        var segments = new List<(string Bridge, IEnumerable<LabHost> Hosts, string V4, string V6)>
        {
            (NodesBridge, Nodes, $"{LabAddresses.RouterNodeSideV4}/24", $"{LabAddresses.RouterNodeSideV6}/64"),
        };
        if (Clients.Count > 0)
        {
            segments.Add((ClientsBridge, Clients, $"{LabAddresses.RouterClientSideV4}/24", $"{LabAddresses.RouterClientSideV6}/64"));
        }

        if (BlockedClients.Count > 0)
        {
            segments.Add((BlockedBridge, BlockedClients, $"{LabAddresses.RouterBlockedSideV4}/24", $"{LabAddresses.RouterBlockedSideV6}/64"));
        }

        foreach (var (bridge, hosts, v4, v6) in segments)
        {
            yield return $"addr add {v4} dev {bridge}";
            yield return $"addr add {v6} dev {bridge} nodad";
            yield return $"link set {bridge} up";
            foreach (var host in hosts)
            {
                yield return $"link set {RouterPort(host)} master {bridge}";
                yield return $"link set {RouterPort(host)} up";
            }
        }

        foreach (var node in Nodes)
        {
            yield return $"route add {node.PodCidrV4} via {node.IPv4}";
            yield return $"route add {node.PodCidrV6} via {node.IPv6}";
        }

        // Service addresses are reachable from outside through the service node, like a cloud load balancer
        // (or a test route for ClusterIPs) would send them.
        var target = ServiceNode;
        foreach (var range in new[] { LabAddresses.ClusterIPRangeV4, LabAddresses.LoadBalancerRangeV4, LabAddresses.ExternalIPRangeV4 })
        {
            yield return $"route add {range} via {target.IPv4}";
        }

        foreach (var range in new[] { LabAddresses.ClusterIPRangeV6, LabAddresses.LoadBalancerRangeV6, LabAddresses.ExternalIPRangeV6 })
        {
            yield return $"route add {range} via {target.IPv6}";
        }
    }

    /// <summary>
    /// Links come up asynchronously (carrier and bridge port state go through the kernel's link watch): wait
    /// until every interface is up and every bridge port forwards, so the first probe is not lost.
    /// </summary>
    private async Task WaitForCarrierAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(10);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var pending = _namespaces.ToList();
        var lastState = "";
        while (pending.Count > 0)
        {
            var states = await Task.WhenAll(pending.Select(async ns => (Namespace: ns, NotReady: await NotReadyAsync(ns))));
            pending = states.Where(s => s.NotReady.Count > 0).Select(s => s.Namespace).ToList();
            lastState = string.Join("; ", states.Where(s => s.NotReady.Count > 0).Select(s => $"{s.Namespace.Name}: {string.Join(", ", s.NotReady)}"));
            if (pending.Count == 0)
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"lab {Prefix}: links not up within {timeout}: {lastState}");
            }
        }
    }

    private static async Task<List<string>> NotReadyAsync(NetworkNamespace ns)
    {
        var notReady = new List<string>();
        var links = await CommandRunner.RunCheckedAsync("ip", ["-n", ns.Name, "-br", "link"], stdin: null);
        foreach (var line in links.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && fields[0] != "lo" && fields[1] != "UP")
            {
                notReady.Add($"{fields[0]} {fields[1]}");
            }
        }

        var ports = await CommandRunner.RunCheckedAsync("bridge", ["-n", ns.Name, "link", "show"], stdin: null);
        foreach (var line in ports.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.Contains("state forwarding", StringComparison.Ordinal))
            {
                notReady.Add(line.Trim());
            }
        }

        return notReady;
    }
}
