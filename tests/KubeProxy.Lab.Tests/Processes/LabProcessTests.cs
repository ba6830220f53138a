using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Processes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Processes;

public sealed class LabProcessTests(ITestOutputHelper output)
{
    /// <summary>A shell that says "ready", then waits; on SIGTERM it says "bye" and exits 3.</summary>
    internal static LabProcess Sleeper(NetworkNamespace ns) =>
        LabProcess.StartIn(ns, "sleeper", "sh",
            ["-c", "trap 'echo bye; exit 3' TERM; ip -br addr show kbr0; echo oops >&2; echo ready; while :; do sleep 0.05; done"]);

    [RootFact]
    public async Task RunsInTheNamespaceCapturesBothStreamsAndStopsWithSigterm()
    {
        await using var lab = await LabFixture.StartAsync(output);
        await using var process = Sleeper(lab.Node("node-1").Namespace);

        await process.Output.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(10));
        var exitCode = await process.StopAsync(TimeSpan.FromSeconds(10));

        output.WriteLine(process.Output.Text);
        Assert.Equal(3, exitCode);
        // It saw the node's bridge: it ran inside the node namespace.
        Assert.Contains(process.Output.Lines, l => l.StartsWith("kbr0", StringComparison.Ordinal) && l.Contains("198.18.64.1/24"));
        Assert.Contains("err| oops", process.Output.Text);
        Assert.Contains("out| bye", process.Output.Text);
    }

    [RootFact]
    public async Task ProcessIgnoringSigtermIsKilledAfterTheGrace()
    {
        await using var lab = await LabFixture.StartAsync(output);
        await using var process = LabProcess.StartIn(lab.Node("node-1").Namespace, "stubborn", "sh",
            ["-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"]);
        await process.Output.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(10));

        var exitCode = await process.StopAsync(TimeSpan.FromMilliseconds(300));

        Assert.True(process.HasExited);
        Assert.Equal(137, exitCode); // 128 + SIGKILL
    }

    [Fact]
    public async Task CommandFailureNamesTheCommandAndItsError()
    {
        var failure = await Assert.ThrowsAsync<CommandFailedException>(() =>
            CommandRunner.RunCheckedAsync("sh", ["-c", "echo line one >&2; exit 4"], stdin: "first\nsecond\n"));

        Assert.Contains("`sh -c 'echo line one >&2; exit 4'` exited 4: line one", failure.Message);
        Assert.Contains("   2: second", failure.Message);
        Assert.Equal(4, failure.Result!.ExitCode);
    }

    [Fact]
    public async Task CommandThatCannotStartIsReported()
    {
        var failure = await Assert.ThrowsAsync<CommandFailedException>(() => CommandRunner.RunCheckedAsync("/nonexistent/kpl-tool"));

        Assert.Contains("/nonexistent/kpl-tool", failure.Message);
    }
}
