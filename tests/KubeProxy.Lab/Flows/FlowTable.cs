using KubeProxy.Lab.Probes;
using Xunit.Sdk;

namespace KubeProxy.Lab.Flows;

/// <summary>
/// Runs a table of packet flows through the real kernel, all rows at once, and fails with every wrong row
/// listed. Endpoint rows probe repeatedly until each expected endpoint has answered (random load balancing),
/// and check every answer's endpoint and masquerading. SCTP rows on a kernel that refuses SCTP are reported
/// as not checked, never as passed.
/// </summary>
public static class FlowTable
{
    /// <summary>Probes per endpoint row before an expected endpoint counts as never reached.</summary>
    public const int MaxProbes = 32;

    public static readonly TimeSpan DropTimeout = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<FlowResult>> RunAsync(IEnumerable<PacketFlow> flows, Action<string>? log = null)
    {
        var results = await Task.WhenAll(flows.Select(RunOneAsync));
        log?.Invoke(string.Join('\n', results.Select(r => r.ToString())));
        var notChecked = results.Where(r => r.NotChecked).ToList();
        if (notChecked.Count > 0)
        {
            log?.Invoke($"NOT CHECKED ({notChecked.Count}): {string.Join("; ", notChecked.Select(r => r.Flow.Name + ": " + r.Failure))}");
        }

        var failed = results.Where(r => !r.Passed && !r.NotChecked).ToList();
        if (failed.Count > 0)
        {
            throw new XunitException($"{failed.Count} of {results.Length} packet flows went wrong:\n{string.Join('\n', failed)}");
        }

        return results;
    }

    public static async Task<FlowResult> RunOneAsync(PacketFlow flow)
    {
        var probes = new List<ProbeResult>();
        Task<ProbeResult> Probe(TimeSpan? timeout = null) =>
            flow.From.ProbeAsync(flow.Destination, flow.Port, flow.Protocol, flow.Source, timeout, sourcePort: flow.SourcePort);

        var first = await Probe(flow.Expect.Verdict == FlowVerdict.Drop ? DropTimeout : null);
        probes.Add(first);
        if (first.Outcome == ProbeOutcome.Unsupported)
        {
            return new FlowResult(flow, probes, first.Detail ?? "unsupported", NotChecked: true);
        }

        switch (flow.Expect.Verdict)
        {
            case FlowVerdict.Drop:
                return new FlowResult(flow, probes, first.Outcome == ProbeOutcome.Dropped ? null : $"expected DROP, got {first}");
            case FlowVerdict.Reject:
                return new FlowResult(flow, probes, first.Outcome == ProbeOutcome.Rejected ? null : $"expected REJECT, got {first}");
        }

        var expected = flow.Expect.Endpoints.Select(FlowExpectation.Parse).ToList();
        var unseen = expected.Select(e => e.Name).ToHashSet();
        var result = first;
        while (true)
        {
            if (Check(flow, expected, result) is { } failure)
            {
                return new FlowResult(flow, probes, failure);
            }

            unseen.Remove(result.EndpointName!);
            if (unseen.Count == 0)
            {
                return new FlowResult(flow, probes, null);
            }

            if (probes.Count >= MaxProbes)
            {
                return new FlowResult(flow, probes, $"never reached {string.Join(", ", unseen)} in {probes.Count} probes");
            }

            result = await Probe();
            probes.Add(result);
        }
    }

    private static string? Check(PacketFlow flow, List<(string Name, int? Port)> expected, ProbeResult result)
    {
        if (result.Outcome != ProbeOutcome.Answered)
        {
            return $"expected {flow.Expect}, got {result}";
        }

        var match = expected.FirstOrDefault(e => e.Name == result.EndpointName);
        if (match.Name is null)
        {
            return $"answered by an unexpected endpoint: {result}";
        }

        if (match.Port is { } port && result.EndpointAddress!.Port != port)
        {
            return $"{match.Name} reached on port {result.EndpointAddress.Port}, expected {port}: {result}";
        }

        return result.IsMasqueraded == flow.Expect.Masqueraded
            ? null
            : $"expected {(flow.Expect.Masqueraded ? "masqueraded" : "not masqueraded")}: {result}";
    }
}
