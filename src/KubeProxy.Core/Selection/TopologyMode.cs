namespace KubeProxy.Core.Selection;

/// <summary>Which topology filter applies to a Service port's Ready endpoints (from the slice hints).</summary>
public enum TopologyMode
{
    /// <summary>No usable hints: every Ready endpoint.</summary>
    None,

    /// <summary>Every Ready endpoint has forNodes hints and one names this node.</summary>
    PreferSameNode,

    /// <summary>Every Ready endpoint has forZones hints and one names this node's zone.</summary>
    PreferSameZone,
}
