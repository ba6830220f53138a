using KubeProxy.Hosting;
using KubeProxy.Sources.Kubernetes;

namespace KubeProxy.Tests.Hosting;

public sealed class ApiSourceTuningTests
{
    private static readonly KubernetesApiSourceOptions Defaults = new() { NodeName = "node-1" };

    [Fact]
    public void Without_the_variables_the_client_go_timings_stay()
    {
        var (options, warnings) = ApiSourceTuning.Apply(Defaults, _ => null);

        Assert.Equal(Defaults, options);
        Assert.Empty(warnings);
    }

    [Fact]
    public void A_short_watch_timeout_shortens_the_idle_grace_and_a_small_backoff_cap_the_first_delay()
    {
        var env = new Dictionary<string, string>
        {
            [ApiSourceTuning.WatchTimeoutVariable] = "2s",
            [ApiSourceTuning.BackoffMaxVariable] = "500ms",
        };

        var (options, warnings) = ApiSourceTuning.Apply(Defaults, env.GetValueOrDefault);

        Assert.Empty(warnings);
        Assert.Equal(TimeSpan.FromSeconds(2), options.WatchTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.WatchIdleGrace);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.BackoffMax);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.BackoffInitial);
    }

    [Fact]
    public void An_explicit_idle_grace_wins_and_bad_values_are_reported_and_ignored()
    {
        var env = new Dictionary<string, string>
        {
            [ApiSourceTuning.WatchTimeoutVariable] = "ten seconds",
            [ApiSourceTuning.WatchIdleGraceVariable] = "1s",
            [ApiSourceTuning.BackoffMaxVariable] = "-1s",
        };

        var (options, warnings) = ApiSourceTuning.Apply(Defaults, env.GetValueOrDefault);

        Assert.Equal(Defaults.WatchTimeout, options.WatchTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.WatchIdleGrace);
        Assert.Equal(Defaults.BackoffMax, options.BackoffMax);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains(ApiSourceTuning.WatchTimeoutVariable, StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains(ApiSourceTuning.BackoffMaxVariable, StringComparison.Ordinal));
    }
}
