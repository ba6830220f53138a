using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// <c>nft monitor</c> inside a namespace, recording when each IPv4 address first appears in an added object (rule,
/// element): an independent view of when a change reached the kernel, timestamped as each event line arrives.
/// Output goes through <c>stdbuf -oL</c> so nft's stdio does not hold events back in a pipe buffer.
/// </summary>
internal sealed partial class NftMonitor : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<IPAddress, DateTimeOffset> _firstSeen = new();

    private NftMonitor(Process process)
    {
        _process = process;
    }

    public static NftMonitor Start(string ns)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", ns, "stdbuf", "-oL", "nft", "monitor" }) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start nft monitor");
        var monitor = new NftMonitor(process);
        process.OutputDataReceived += (_, e) => monitor.OnLine(e.Data);
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return monitor;
    }

    /// <summary>When <paramref name="address"/> first appeared in an added rule or element, if it has.</summary>
    public DateTimeOffset? FirstSeen(IPAddress address) => _firstSeen.TryGetValue(address, out var t) ? t : null;

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null || !line.StartsWith("add ", StringComparison.Ordinal)) return;
        var now = DateTimeOffset.UtcNow;
        foreach (Match match in IPv4().Matches(line))
        {
            if (IPAddress.TryParse(match.ValueSpan, out var address)) _firstSeen.TryAdd(address, now);
        }
    }

    [GeneratedRegex(@"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b")]
    private static partial Regex IPv4();
}
