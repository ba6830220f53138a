using System.Globalization;
using k8s;
using k8s.Models;
using KubeProxy.Sources.Kubernetes.Reflection;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Kubernetes;

/// <summary>
/// Posts the 'Starting' event upstream kube-proxy records for its node at start (events.k8s.io/v1, reason Starting,
/// action StartKubeProxy, in namespace default because Nodes are not namespaced). Best effort, in the background:
/// a few tries, each bounded, and a failure is only logged.
/// </summary>
internal sealed partial class NodeEventRecorder(IKubernetes client, string nodeName, TimeProvider time, ILogger<NodeEventRecorder> logger)
{
    private const int Attempts = 3;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Starts posting the event and returns at once; the returned task never faults.</summary>
    public Task RecordStarting(CancellationToken cancellationToken) =>
        Task.Run(() => PostAsync(cancellationToken), CancellationToken.None);

    internal Eventsv1Event BuildStartingEvent()
    {
        var now = time.GetUtcNow();
        return new Eventsv1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = nodeName + "." + (now.ToUnixTimeMilliseconds() * 1_000_000).ToString("x", CultureInfo.InvariantCulture),
                NamespaceProperty = "default",
            },
            EventTime = now.UtcDateTime,
            ReportingController = "kube-proxy",
            ReportingInstance = "kube-proxy-" + Environment.MachineName,
            Action = "StartKubeProxy",
            Reason = "Starting",
            Type = "Normal",
            Regarding = new V1ObjectReference { Kind = "Node", Name = nodeName, Uid = nodeName },
        };
    }

    private async Task PostAsync(CancellationToken cancellationToken)
    {
        var body = BuildStartingEvent();
        for (var attempt = 1; attempt <= Attempts && !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                using var deadline = new CancellationTokenSource(AttemptTimeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                await client.EventsV1.CreateNamespacedEventAsync(body, "default", cancellationToken: linked.Token).ConfigureAwait(false);
                LogRecorded(logger, nodeName);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = ApiErrors.Describe(e);
                LogFailed(logger, nodeName, attempt, reason);
                try
                {
                    await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Recorded the Starting event for node {Node}")]
    private static partial void LogRecorded(ILogger logger, string node);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information,
        Message = "Could not record the Starting event for node {Node} (attempt {Attempt}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string node, int attempt, string reason);
}
