using KubeProxy.Configuration;
using KubeProxy.Sources.Kubernetes;

namespace KubeProxy.Hosting;

/// <summary>
/// Environment overrides of the API source's client-go timings, for tests only (upstream has no flags for these, so
/// neither do we). A watch that hangs without a byte is only noticed after its timeoutSeconds (5-10 min) plus a
/// grace, and the backoff grows to 30 s: a test of those faults against the real process would take minutes. The lab
/// tests set, e.g., <c>KUBEPROXY_API_WATCH_TIMEOUT=5s</c> and <c>KUBEPROXY_API_BACKOFF_MAX=2s</c> (Go durations).
/// Unset or unparsable values leave the defaults; a bad value is reported, never fatal.
/// </summary>
public static class ApiSourceTuning
{
    public const string WatchTimeoutVariable = "KUBEPROXY_API_WATCH_TIMEOUT";
    public const string WatchIdleGraceVariable = "KUBEPROXY_API_WATCH_IDLE_GRACE";
    public const string BackoffMaxVariable = "KUBEPROXY_API_BACKOFF_MAX";

    /// <summary>Applies the overrides found by <paramref name="lookup"/>; returns the options and one warning per bad value.</summary>
    public static (KubernetesApiSourceOptions Options, IReadOnlyList<string> Warnings) Apply(
        KubernetesApiSourceOptions options, Func<string, string?> lookup)
    {
        var warnings = new List<string>();
        if (Read(WatchTimeoutVariable, lookup, warnings) is { } watchTimeout)
        {
            // A short watch also wants a short idle grace, or a hang is still noticed only after the default 30 s.
            options = options with { WatchTimeout = watchTimeout, WatchIdleGrace = Min(options.WatchIdleGrace, watchTimeout) };
        }

        if (Read(WatchIdleGraceVariable, lookup, warnings) is { } grace)
        {
            options = options with { WatchIdleGrace = grace };
        }

        if (Read(BackoffMaxVariable, lookup, warnings) is { } backoffMax)
        {
            options = options with { BackoffMax = backoffMax, BackoffInitial = Min(options.BackoffInitial, backoffMax) };
        }

        return (options, warnings);
    }

    private static TimeSpan? Read(string variable, Func<string, string?> lookup, List<string> warnings)
    {
        var text = lookup(variable);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (GoDuration.TryParse(text, out var value, out var error) && value > GoDuration.Zero)
        {
            return value.ToTimeSpan();
        }

        warnings.Add($"ignoring {variable}={text}: {error ?? "must be positive"}");
        return null;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
