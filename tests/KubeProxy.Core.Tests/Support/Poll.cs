namespace KubeProxy.Core.Tests.Support;

/// <summary>Waits for a condition that another thread makes true, with a deadline instead of a sleep.</summary>
internal static class Poll
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var limit = DateTime.UtcNow + (deadline ?? DefaultDeadline);
        while (!condition())
        {
            if (DateTime.UtcNow > limit) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(1);
        }
    }
}
