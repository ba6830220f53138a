using System.Net;
using EchoServer;
using KubeProxy.Core.Model;
using KubeProxy.Lab.Echo;
using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Probes;

namespace KubeProxy.Lab;

/// <summary>A machine of the lab (router, node, pod or client): one network namespace with one address per family.</summary>
public class LabHost
{
    internal LabHost(NetworkLab lab, string name, LabHostKind kind, NetworkNamespace ns, IPAddress ipv4, IPAddress ipv6)
    {
        Lab = lab;
        Name = name;
        Kind = kind;
        Namespace = ns;
        IPv4 = ipv4;
        IPv6 = ipv6;
    }

    public NetworkLab Lab { get; }

    /// <summary>The short name from the topology, e.g. <c>web-1</c> (the namespace carries the run prefix).</summary>
    public string Name { get; }

    public LabHostKind Kind { get; }

    public NetworkNamespace Namespace { get; }

    public IPAddress IPv4 { get; }

    public IPAddress IPv6 { get; }

    public IPAddress Address(IPFamily family) => family == IPFamily.IPv6 ? IPv6 : IPv4;

    /// <summary>One probe from this host; see <see cref="Prober.ProbeAsync"/>.</summary>
    public Task<ProbeResult> ProbeAsync(IPAddress destination, int port, Protocol protocol = Protocol.TCP,
        IPAddress? source = null, TimeSpan? timeout = null, int sourcePort = 0, CancellationToken cancellationToken = default) =>
        Prober.ProbeAsync(Namespace, destination, port, protocol, source, timeout, sourcePort, cancellationToken);

    /// <summary>Adds an extra address to one of this host's interfaces (e.g. a node's secondary IP).</summary>
    public Task AddAddressAsync(string cidr, string device = "eth0") =>
        Namespace.IpAsync(cidr.Contains(':') ? ["addr", "add", cidr, "dev", device, "nodad"] : ["addr", "add", cidr, "dev", device]);

    /// <summary>An echo server named after this host, e.g. <c>StartEchoAsync("tcp:8080", "udp:5353")</c>; stopped with the lab.</summary>
    public Task<NamespaceEchoServer> StartEchoAsync(params string[] listens) =>
        StartEchoAsync(Name, listens.Select(ListenSpec.Parse));

    public async Task<NamespaceEchoServer> StartEchoAsync(string echoName, IEnumerable<ListenSpec> listens) =>
        Lab.Track(await NamespaceEchoServer.StartAsync(Namespace, echoName, listens, Lab.Logger));

    /// <summary>An HttpClient connecting from inside this host's namespace.</summary>
    public HttpClient CreateHttpClient(TimeSpan? timeout = null) => NamespaceHttp.CreateClient(Namespace, timeout);

    public override string ToString() => $"{Name} ({IPv4}, {IPv6}) in {Namespace.Name}";
}
