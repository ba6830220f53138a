namespace KubeProxy.E2E;

/// <summary>Polling with a deadline, for the few waits that have no metric to watch.</summary>
public static class Poll
{
    /// <summary>Calls <paramref name="attempt"/> until <paramref name="done"/> or the deadline; returns the last result either way.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var result = await attempt();
            if (done(result) || TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                return result;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
