using System.Net;
using EchoServer;
using KubeProxy.Core.Model;

namespace KubeProxy.Lab.Probes;

/// <summary>What one probe saw. <see cref="ToString"/> reads well in an assertion message.</summary>
public sealed record ProbeResult
{
    public required ProbeOutcome Outcome { get; init; }

    public required Protocol Protocol { get; init; }

    public required IPEndPoint Destination { get; init; }

    /// <summary>The probe's own address and port (after binding/connecting), when the socket got that far.</summary>
    public IPEndPoint? Source { get; init; }

    /// <summary>The echo server's answer, when <see cref="Outcome"/> is Answered.</summary>
    public EchoReply? Reply { get; init; }

    /// <summary>Set when <see cref="Outcome"/> is Rejected.</summary>
    public RejectReason? RejectReason { get; init; }

    /// <summary>Error text, or what was refused or unsupported.</summary>
    public string? Detail { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The name of the echo server that answered (the pod name, normally).</summary>
    public string? EndpointName => Reply?.Name;

    /// <summary>The address the echo server was reached on: the endpoint after any DNAT.</summary>
    public IPEndPoint? EndpointAddress => Reply?.Local;

    /// <summary>The source address and port the echo server saw.</summary>
    public IPEndPoint? SeenPeer => Reply?.Peer;

    /// <summary>
    /// True when the server saw another source than the probe's own: the packet was SNATed (masqueraded) on the
    /// way. The port counts too: a node masquerading its own traffic out of the interface it was sent from keeps
    /// the address, but kube-proxy masquerades with random ports (and plain DNAT keeps the port).
    /// Only meaningful for an answered probe.
    /// </summary>
    public bool IsMasqueraded =>
        Outcome == ProbeOutcome.Answered
            ? Source is null || Reply is null
                ? throw new InvalidOperationException("answered probe without source or reply")
                : SourceRewritten(Source, Reply.Peer)
            : throw new InvalidOperationException($"IsMasqueraded needs an answered probe, this one is {this}");

    private static bool SourceRewritten(IPEndPoint source, IPEndPoint seen) =>
        !seen.Address.Equals(source.Address) || seen.Port != source.Port;

    public override string ToString()
    {
        var head = $"{Protocol.Lower()} {Source?.ToString() ?? "?"} -> {Destination}";
        return Outcome switch
        {
            ProbeOutcome.Answered when Reply is not null =>
                $"{head}: answered by {Reply.Name} at {Reply.Local}, peer seen {Reply.Peer}"
                + (Source is not null && SourceRewritten(Source, Reply.Peer) ? " (masqueraded)" : " (not masqueraded)"),
            ProbeOutcome.Rejected => $"{head}: rejected ({RejectReason}){(Detail is null ? "" : ": " + Detail)}",
            ProbeOutcome.Dropped => $"{head}: dropped (no answer in {Elapsed.TotalMilliseconds:F0} ms)",
            _ => $"{head}: {Outcome.ToString().ToLowerInvariant()}: {Detail}",
        };
    }
}
