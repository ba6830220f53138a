using System.Collections.Concurrent;
using KubeProxy.Lab.Cluster;
using KubeProxy.Lab.Testing;

namespace KubeProxy.E2E;

/// <summary>
/// One <see cref="ClusterLab"/> per proxy mode, started by the first test that asks for it and torn down (every
/// namespace, process and the API server) when the collection is done, whatever the tests did. A cluster that
/// failed to start fails every test of its mode at once instead of being rebuilt by each.
/// </summary>
public sealed class ClusterFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ClusterLab>>> _clusters = new();

    public CurrentTestLogger Logger { get; } = new();

    public Task<ClusterLab> ClusterAsync(string mode) =>
        _clusters.GetOrAdd(mode, m => new Lazy<Task<ClusterLab>>(() => ClusterLab.StartAsync(m, Logger))).Value;

    /// <summary>
    /// Runs one test against the cluster of <paramref name="mode"/>: the body gets a <see cref="ClusterTest"/> that
    /// records what the test created and removes it afterwards (also after a failure); a failure prints every
    /// kube-proxy's recent output and the lab's state.
    /// </summary>
    public async Task RunAsync(string mode, ITestOutputHelper output, Func<ClusterTest, Task> body)
    {
        Logger.Attach(new TestOutputLogger(output));
        try
        {
            var cluster = await ClusterAsync(mode);
            var test = new ClusterTest(cluster, output);
            Exception? failure = null;
            try
            {
                await body(test);
            }
            catch (Exception e)
            {
                failure = e;
                output.WriteLine(await cluster.DescribeAsync());
                throw;
            }
            finally
            {
                await test.CleanUpAsync(rethrow: failure is null);
            }
        }
        finally
        {
            Logger.Detach();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var cluster in _clusters.Values.Where(c => c.IsValueCreated))
        {
            try
            {
                var lab = await cluster.Value;
                var started = TimeProvider.System.GetTimestamp();
                await lab.DisposeAsync();
                var problems = lab.Lab.TeardownProblems;
                diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage(
                    $"cluster {lab.Lab.Prefix} ({lab.Mode}) torn down in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s"
                    + (problems.Count == 0 ? "" : $"; problems: {string.Join("; ", problems)}")));
            }
            catch (Exception)
            {
                // A cluster that never started has nothing to tear down: its build removed what it made.
            }
        }
    }
}
