namespace KubeProxy.Lab.Flows;

/// <summary>What should happen to a packet flow, in the words of upstream's packet-flow tests.</summary>
public enum FlowVerdict
{
    /// <summary>DNATed to one of the expected endpoints (all of them seen over repeated probes).</summary>
    Endpoints,

    /// <summary>Silently dropped: nothing comes back.</summary>
    Drop,

    /// <summary>Refused: ICMP unreachable or TCP RST.</summary>
    Reject,
}
