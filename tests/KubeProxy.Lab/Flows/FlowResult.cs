using KubeProxy.Lab.Probes;

namespace KubeProxy.Lab.Flows;

/// <summary>What happened to one flow: the probes sent and, when it did not go as expected, why.</summary>
public sealed record FlowResult(PacketFlow Flow, IReadOnlyList<ProbeResult> Probes, string? Failure, bool NotChecked = false)
{
    public bool Passed => Failure is null;

    public override string ToString()
    {
        var status = NotChecked ? "SKIP" : Passed ? "ok  " : "FAIL";
        var seen = Probes.Count == 0 ? "no probe" : Probes[^1].ToString();
        var detail = Failure ?? (Probes.Count > 1 ? $"{Probes.Count} probes, last: {seen}" : seen);
        return $"{status} {Flow}\n       {detail}";
    }
}
