using EchoServer;
using KubeProxy.Lab.Namespaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Lab.Echo;

/// <summary>
/// An echo server hosted in this process but answering inside a namespace: its sockets are created on the
/// namespace's thread. Listeners the kernel cannot provide (SCTP here) are reported in
/// <see cref="Unsupported"/> and logged, not silently ignored.
/// </summary>
public sealed class NamespaceEchoServer : IAsyncDisposable
{
    private readonly List<EchoListener> _listeners;

    private NamespaceEchoServer(string name, NetworkNamespace ns, List<EchoListener> listeners, List<ListenSpec> unsupported)
    {
        Name = name;
        Namespace = ns;
        _listeners = listeners;
        Unsupported = unsupported;
    }

    public string Name { get; }

    public NetworkNamespace Namespace { get; }

    public IReadOnlyList<EchoListener> Listeners => _listeners;

    /// <summary>Requested listeners the kernel refused (SCTP on this kernel).</summary>
    public IReadOnlyList<ListenSpec> Unsupported { get; }

    /// <summary>Connections and datagrams answered so far, all listeners together.</summary>
    public long Answered => _listeners.Sum(l => l.Answered);

    /// <summary>Starts answering on every port in <paramref name="listens"/>, on all addresses of both families.</summary>
    public static async Task<NamespaceEchoServer> StartAsync(NetworkNamespace ns, string name, IEnumerable<ListenSpec> listens, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var listeners = new List<EchoListener>();
        var unsupported = new List<ListenSpec>();
        try
        {
            foreach (var spec in listens)
            {
                try
                {
                    var socket = await ns.RunAsync(() => EchoSockets.Listen(spec));
                    listeners.Add(EchoListener.Start(name, spec, socket, logger));
                }
                catch (SctpUnsupportedException e)
                {
                    unsupported.Add(spec);
                    LabLog.EchoUnsupported(logger, name, ns.Name, spec.ToString(), e.Message);
                }
            }
        }
        catch
        {
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }

            throw;
        }

        var listening = string.Join(',', listeners.Select(l => l.Spec));
        LabLog.EchoStarted(logger, name, ns.Name, listening);
        return new NamespaceEchoServer(name, ns, listeners, unsupported);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }
    }
}
