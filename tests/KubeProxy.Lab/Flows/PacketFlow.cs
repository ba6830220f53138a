using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Lab.Flows;

/// <summary>
/// One row of a packet-flow table: from a lab host (optionally from a given source address) to
/// destination:port over a protocol, and what must happen.
/// </summary>
public sealed record PacketFlow(string Name, LabHost From, IPAddress Destination, int Port, FlowExpectation Expect)
{
    public Protocol Protocol { get; init; } = Protocol.TCP;

    /// <summary>Bind the probe to this source address (e.g. a node's second address); null lets routing choose.</summary>
    public IPAddress? Source { get; init; }

    /// <summary>Bind the probe to this source port; 0 lets the kernel choose.</summary>
    public int SourcePort { get; init; }

    public override string ToString() =>
        $"{Name}: {From.Name}{(Source is null ? "" : $"[{Source}]")}{(SourcePort == 0 ? "" : $":{SourcePort}")} -> {new IPEndPoint(Destination, Port)}/{Protocol.Lower()} => {Expect}";
}
