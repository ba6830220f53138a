using System.Net;
using KubeProxy.ApiServer;
using KubeProxy.Lab.ApiServer;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.ApiServer;

/// <summary>
/// The default lab (node-1 with web-1, web-2, src-1; node-2 with web-3; a client) whose cluster is the API test
/// server (<see cref="ClusterApi"/>), and the real kube-proxy on node-1 reading it through 127.0.0.1:6443 with a
/// bearer token. Every pod echoes on tcp:80 and tcp:81. kube-proxy runs with short API timings
/// (<see cref="Environment"/>), so a hung watch is replaced and a failed one retried within seconds.
/// </summary>
internal sealed class ApiProxyLab : IAsyncDisposable
{
    public const string Token = "lab-bearer-token";

    /// <summary>The API source's test timings: a watch lasts 2-4 s, a silent one is dropped 1 s after that, retries wait at most 1 s.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["KUBEPROXY_API_WATCH_TIMEOUT"] = "2s",
        ["KUBEPROXY_API_WATCH_IDLE_GRACE"] = "1s",
        ["KUBEPROXY_API_BACKOFF_MAX"] = "1s",
    };

    private readonly ITestOutputHelper _output;
    private readonly long _started = TimeProvider.System.GetTimestamp();

    private ApiProxyLab(NetworkLab lab, ClusterApi api, KubeProxyProcess kubeProxy, ITestOutputHelper output)
    {
        _output = output;
        Lab = lab;
        Api = api;
        KubeProxy = kubeProxy;
    }

    public NetworkLab Lab { get; }

    public ClusterApi Api { get; }

    public FakeApiServer Server => Api.Server;

    public KubeProxyProcess KubeProxy { get; }

    public LabNode Node => Lab.Nodes[0];

    /// <summary>Builds the lab, stores the Node, the ServiceCIDRs and <paramref name="initial"/>, starts kube-proxy and waits for its first sync in both families.</summary>
    public static async Task<ApiProxyLab> StartAsync(ITestOutputHelper output, Func<NetworkLab, IEnumerable<IManifest>>? initial = null,
        IEnumerable<string>? extraArgs = null, Func<LabNode, NodeManifest>? node = null, bool waitForSync = true)
    {
        var lab = await NetworkLab.StartAsync(ProxyLab.DefaultTopology(), new TestOutputLogger(output));
        ClusterApi? api = null;
        try
        {
            foreach (var pod in lab.Pods)
            {
                await pod.StartEchoAsync("tcp:80", "tcp:81");
            }

            var first = lab.Nodes[0];
            api = await ClusterApi.StartAsync([first.Namespace], bearerToken: Token);
            api.Apply([(node ?? NodeManifest.For)(first), ServiceCidrManifest.Lab(), .. initial?.Invoke(lab) ?? []]);
            var kubeProxy = lab.StartKubeProxy(first,
            [
                "--kubeconfig", api.KubeconfigPath,
                "--hostname-override", first.Name,
                "--proxy-mode", "nftables",
                "--iptables-min-sync-period=0s",
                "--metrics-bind-address", "127.0.0.1:10249",
                "--healthz-bind-address", "127.0.0.1:10256",
                "--cluster-cidr", ProxyLab.ClusterCidrs,
                .. extraArgs ?? [],
            ], Environment);
            var proxyLab = new ApiProxyLab(lab, api, kubeProxy, output);
            if (waitForSync)
            {
                await kubeProxy.WaitForSyncAsync(["IPv4", "IPv6"], TimeSpan.FromSeconds(90));
            }

            return proxyLab;
        }
        catch
        {
            if (api is not null)
            {
                await api.DisposeAsync();
            }

            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>One TCP connection from the external client to <paramref name="ip"/>:<paramref name="port"/>.</summary>
    public Task<ProbeResult> ProbeAsync(IPAddress ip, int port = 80) =>
        Prober.ProbeAsync(Lab.Client("client").Namespace, ip, port);

    /// <summary>
    /// Probes until <paramref name="ip"/>:<paramref name="port"/> is answered by the pod <paramref name="endpoint"/>
    /// (or, with null, until it is not answered at all); fails with the last probe and kube-proxy's output otherwise.
    /// </summary>
    public async Task<ProbeResult> WaitForAnswerAsync(string step, IPAddress ip, string? endpoint, int port = 80, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(40);
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var result = await ProbeAsync(ip, port);
            var done = endpoint is null
                ? result.Outcome != ProbeOutcome.Answered
                : result.Outcome == ProbeOutcome.Answered && result.EndpointName == endpoint;
            if (done)
            {
                Log($"{step}: {result}");
                return result;
            }

            if (TimeProvider.System.GetElapsedTime(started) > limit)
            {
                Assert.Fail($"{step}: {ip}:{port} not {(endpoint is null ? "unanswered" : "answered by " + endpoint)} within {limit}; " +
                            $"last probe: {result}\nAPI requests: {DescribeRequests()}\nkube-proxy output:\n{KubeProxy.Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>A line in the test output with the seconds since the lab started, to see where a run spends its time.</summary>
    public void Log(string message) =>
        _output.WriteLine($"{TimeProvider.System.GetElapsedTime(_started).TotalSeconds,7:F2} {message}");

    /// <summary>The last requests the server got, for a failure message.</summary>
    public string DescribeRequests() =>
        string.Join("\n", Server.Requests.TakeLast(30).Select(r => $"{r.At:HH:mm:ss.fff} {(r.Authorized ? "" : "[401] ")}{r}"));

    /// <summary>Stops kube-proxy first (so it does not log the server going away), then the server, then the lab (which owns the process).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KubeProxy.StopAsync();
        }
        finally
        {
            try
            {
                await Api.DisposeAsync();
            }
            finally
            {
                await Lab.DisposeAsync();
            }
        }
    }
}
