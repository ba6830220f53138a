using KubeProxy.Lab.Processes;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Lab.Tests.Processes;

public sealed class OutputBufferTests
{
    [Fact]
    public async Task WaitsForAMatchingLine()
    {
        var buffer = new OutputBuffer(time: new FakeTimeProvider());
        buffer.Append("out", "starting");

        var waiting = buffer.WaitForLineAsync(l => l.StartsWith("synced", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);
        buffer.Append("err", "synced 3 rules");

        Assert.Equal("synced 3 rules", await waiting);
        Assert.Contains("err| synced 3 rules", buffer.Text);
    }

    [Fact]
    public void KeepsTheLastLinesAndSaysHowManyWereDropped()
    {
        var buffer = new OutputBuffer(capacity: 2);
        foreach (var line in new[] { "a", "b", "c" })
        {
            buffer.Append("out", line);
        }

        Assert.Equal(["b", "c"], buffer.Lines);
        Assert.StartsWith("... 1 earlier lines dropped", buffer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimesOutWithTheOutputSoFar()
    {
        var buffer = new OutputBuffer();
        buffer.Append("out", "nothing useful");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => buffer.WaitForLineAsync(l => l == "never", TimeSpan.FromMilliseconds(50)));

        Assert.Contains("nothing useful", timeout.Message);
    }
}
