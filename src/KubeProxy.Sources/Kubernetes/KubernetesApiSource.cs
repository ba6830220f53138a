using k8s;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;
using KubeProxy.Sources.Kubernetes.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// The Kubernetes API as a proxy source: one reflector each for Services and EndpointSlices (without the objects
/// upstream's informers exclude: service-proxy-name and headless labels), this Node, and ServiceCIDRs. Each delivers
/// only differences; Services and EndpointSlices report "synced" once their first complete list is delivered.
/// <see cref="RunAsync"/> returns when cancelled; API failures are retried forever and never delete anything. It
/// throws only when the sink itself throws.
/// </summary>
public sealed class KubernetesApiSource : IProxySource
{
    private readonly ResourceApis _apis;
    private readonly KubeConversions _conversions;
    private readonly KubernetesApiSourceOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly NodeEventRecorder? _events;

    public KubernetesApiSource(IKubernetes client, KubernetesApiSourceOptions options, ILoggerFactory? loggerFactory = null)
        : this(ResourceApis.For(client), KubeConversions.Default, options, loggerFactory,
            options.RecordStartingEvent ? new NodeEventRecorder(client, options.NodeName, options.TimeProvider,
                (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<NodeEventRecorder>()) : null)
    {
    }

    internal KubernetesApiSource(ResourceApis apis, KubeConversions conversions, KubernetesApiSourceOptions options,
        ILoggerFactory? loggerFactory, NodeEventRecorder? events = null)
    {
        _apis = apis;
        _conversions = conversions;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _events = events;
    }

    public async Task RunAsync(IProxyEventSink sink, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logger = _loggerFactory.CreateLogger("KubeProxy.Sources.Kubernetes.Reflector");
        var runs = new List<Task>
        {
            new Reflector<V1Service, Service>(_apis.Services, _conversions.Service,
                new SinkListener<Service>(sink.OnServiceUpsert, sink.OnServiceDelete, sink.OnServicesSynced),
                Settings("services") with { LabelSelector = ProxyLabels.InformerLabelSelector }, logger).RunAsync(stop.Token),
            new Reflector<V1EndpointSlice, EndpointSlice>(_apis.EndpointSlices, _conversions.EndpointSlice,
                new SinkListener<EndpointSlice>(sink.OnEndpointSliceUpsert, sink.OnEndpointSliceDelete, sink.OnEndpointSlicesSynced),
                Settings("endpointslices") with { LabelSelector = ProxyLabels.InformerLabelSelector }, logger).RunAsync(stop.Token),
            new Reflector<V1Node, Node>(_apis.Nodes, _conversions.Node,
                new SinkListener<Node>(sink.OnNodeUpsert, key => sink.OnNodeDelete(key.Name)),
                Settings("nodes") with { FieldSelector = "metadata.name=" + _options.NodeName }, logger).RunAsync(stop.Token),
        };
        if (_options.WatchServiceCidrs)
        {
            runs.Add(new Reflector<V1ServiceCIDR, ServiceCidr>(_apis.ServiceCidrs, _conversions.ServiceCidr,
                new ServiceCidrSetListener(sink), Settings("servicecidrs") with { Optional = true }, logger).RunAsync(stop.Token));
        }
        // The event is informational: it runs beside the reflectors and nothing waits for it.
        _events?.RecordStarting(stop.Token);

        while (runs.Count > 0)
        {
            var done = await Task.WhenAny(runs).ConfigureAwait(false);
            runs.Remove(done);
            if (!done.IsFaulted) continue;
            // A reflector stops only when the sink threw (API failures are retried forever): stop the others and
            // report it, rather than go on with one resource silently frozen.
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(runs).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await done.ConfigureAwait(false);
        }
    }

    private ReflectorSettings Settings(string resource) => new()
    {
        Resource = resource,
        PageSize = _options.PageSize,
        ListTimeout = _options.ListTimeout,
        WatchTimeout = _options.WatchTimeout,
        WatchIdleGrace = _options.WatchIdleGrace,
        ResyncPeriod = _options.ResyncPeriod,
        BackoffInitial = _options.BackoffInitial,
        BackoffMax = _options.BackoffMax,
        BackoffResetAfter = _options.BackoffResetAfter,
        TimeProvider = _options.TimeProvider,
    };
}
