using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KubeProxy.Bench.Generation;
using KubeProxy.Bench.Reporting;
using KubeProxy.Core.Model;
using KubeProxy.Lab;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// One lab (client → router → node-1 → pod web-1, all network namespaces), the real kube-proxy on node-1 fed a
/// manifest directory with N generated Services plus one probe Service whose only endpoint is web-1:8080 (an <see cref="AcceptingListener"/>). The client
/// then connects to the probe's ClusterIP and, alternately, straight to web-1, each time from a new source port so
/// every SYN misses conntrack and walks kube-proxy's whole nat path (service-ips map lookup, service and endpoint
/// chains, DNAT). Only the blocking connect() is timed, on a thread inside the client namespace: the SYN to SYN-ACK
/// round trip.
/// </summary>
internal static class FirstPacketMeasurement
{
    /// <summary>The probe Service's ClusterIP: outside the generator's 198.19.0.0-198.19.117.x (≤ 30,000 Services).</summary>
    private static readonly IPAddress ProbeClusterIP = IPAddress.Parse("198.19.120.1");
    private const string ProbeRoute = "198.19.120.0/24";
    private const int PodPort = 8080;
    private const int WarmUp = 20;

    public static async Task<FirstPacketFigures> RunAsync(int services, int connections, int serviceTables = 0)
    {
        if (services > 30_000) throw new ArgumentException("at most 30,000 Services: the probe ClusterIP sits just above the generated range");
        var topology = new LabTopology().AddNode("node-1", "web-1").AddClient("client");
        await using var lab = await NetworkLab.StartAsync(topology);
        var node = lab.Node("node-1");
        var pod = lab.Pod("web-1");
        var client = lab.Client("client");
        using var listener = await AcceptingListener.StartAsync(pod.Namespace, PodPort);
        // A dropped SYN then costs seconds, not two minutes: it shows in p99 instead of stalling the run.
        await client.Namespace.WriteSysctlAsync("net.ipv4.tcp_syn_retries", "2");
        await lab.Router.Namespace.IpAsync("route", "add", ProbeRoute, "via", node.IPv4.ToString());

        var manifests = lab.CreateManifestDir();
        ManifestWriter.Write(new ClusterShape(services, 1), manifests.Path);
        // The lab's own Node manifest replaces the generator's (same name, the lab's addresses and pod CIDRs).
        File.Delete(Path.Combine(manifests.Path, "node.json"));
        manifests.Write(NodeManifest.For(node));
        var probe = new ServiceManifest("first-packet-probe", "bench")
        {
            ClusterIPs = [ProbeClusterIP],
            Ports = [new ServicePortManifest("http", 80, TargetPort: PodPort)],
        };
        manifests.Write(probe);
        manifests.Write(EndpointSliceManifest.Of(probe, IPFamily.IPv4) with { Endpoints = [EndpointManifest.For(pod, IPFamily.IPv4)] });

        var started = Stopwatch.StartNew();
        var args = ProxyLab.StandardArgs(manifests.Path, node.Name, "nftables").ToList();
        if (serviceTables > 0) args.AddRange(["--nftables-service-tables", serviceTables.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var kubeProxy = lab.StartKubeProxy(node, args);
        await kubeProxy.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromMinutes(20));
        var firstSync = started.Elapsed.TotalMilliseconds;

        var clusterIP = new IPEndPoint(ProbeClusterIP, 80);
        var direct = new IPEndPoint(pod.IPv4, PodPort);
        await WaitUntilReachableAsync(client, clusterIP, TimeSpan.FromSeconds(60), kubeProxy);

        var load = SystemLoad.OneMinute();
        var (viaService, viaPod) = await client.Namespace.RunAsync(() => Measure(client.IPv4, clusterIP, direct, connections));
        return new FirstPacketFigures
        {
            Services = services,
            EndpointsPerService = 1,
            ClusterIP = LatencyStats.Of(viaService),
            Direct = LatencyStats.Of(viaPod),
            FirstSyncMs = firstSync,
            LoadAverage = (load + SystemLoad.OneMinute()) / 2,
        };
    }

    /// <summary>Runs on the client namespace's thread: alternating ClusterIP and direct connects, each from its own port.</summary>
    private static (List<double> ViaService, List<double> ViaPod) Measure(IPAddress source, IPEndPoint clusterIP, IPEndPoint direct, int connections)
    {
        var viaService = new List<double>(connections);
        var viaPod = new List<double>(connections);
        // Explicit, never-reused source ports (the lab is new, so nothing in conntrack has them): each SYN is new.
        var port = 20000;
        for (var i = 0; i < WarmUp + connections; i++)
        {
            var service = ConnectTime(source, port++, clusterIP);
            var pod = ConnectTime(source, port++, direct);
            if (i < WarmUp) continue;
            viaService.Add(service);
            viaPod.Add(pod);
        }

        return (viaService, viaPod);
    }

    private static double ConnectTime(IPAddress source, int sourcePort, IPEndPoint destination)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, sourcePort));
        // Close with RST: no TIME_WAIT, and the echo server's side goes away at once.
        socket.LingerState = new LingerOption(true, 0);
        var start = Stopwatch.GetTimestamp();
        socket.Connect(destination);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        socket.Close();
        return elapsed;
    }

    /// <summary>The first sync may land before the probe Service's rules are all there in every family: poll with a deadline.</summary>
    private static async Task WaitUntilReachableAsync(LabHost client, IPEndPoint target, TimeSpan timeout, KubeProxyProcess kubeProxy)
    {
        var deadline = Stopwatch.StartNew();
        var port = 40000;
        while (true)
        {
            var p = port++;
            var ok = await client.Namespace.RunAsync(() =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(client.IPv4, p));
                socket.LingerState = new LingerOption(true, 0);
                try
                {
                    var connect = socket.ConnectAsync(target);
                    return connect.Wait(TimeSpan.FromSeconds(2)) && socket.Connected;
                }
                catch (AggregateException)
                {
                    return false;
                }
            });
            if (ok) return;
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"{target} not reachable from the client within {timeout}; kube-proxy output:\n{kubeProxy.Output}");
            await Task.Delay(200);
        }
    }
}
