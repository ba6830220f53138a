using KubeProxy.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Tests.Configuration;

public sealed class ConfigFileWatcherTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kp-watch-" + Guid.NewGuid().ToString("N"));
    private readonly string _file;

    public ConfigFileWatcherTests()
    {
        Directory.CreateDirectory(_dir);
        _file = Path.Combine(_dir, "config.conf");
        File.WriteAllText(_file, "mode: iptables\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }

    [Fact]
    public async Task Fires_when_the_file_is_written()
    {
        var reasons = new List<string>();
        using var watcher = new ConfigFileWatcher(_file, r => { lock (reasons) { reasons.Add(r); } });
        watcher.Start();

        await File.AppendAllTextAsync(_file, "# changed\n");

        Assert.True(await EventuallyAsync(() => watcher.HasFired));
        lock (reasons)
        {
            Assert.Contains("config.conf was updated", Assert.Single(reasons), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Fires_when_the_file_is_renamed_away()
    {
        using var watcher = new ConfigFileWatcher(_file, _ => { });
        watcher.Start();

        File.Move(_file, _file + ".old");

        Assert.True(await EventuallyAsync(() => watcher.HasFired));
    }

    [Fact]
    public async Task Fires_when_a_new_file_is_renamed_into_place()
    {
        using var watcher = new ConfigFileWatcher(_file, _ => { });
        watcher.Start();

        var staged = Path.Combine(_dir, "config.conf.tmp");
        await File.WriteAllTextAsync(staged, "mode: nftables\n");
        File.Move(staged, _file, overwrite: true);

        Assert.True(await EventuallyAsync(() => watcher.HasFired));
    }

    [Fact]
    public async Task Changes_to_other_files_in_the_directory_do_not_fire()
    {
        var time = new FakeTimeProvider();
        using var watcher = new ConfigFileWatcher(_file, _ => { }, time);
        watcher.Start();

        // A second watcher on a sentinel file written afterwards tells when the events have been delivered.
        var sentinelPath = Path.Combine(_dir, "sentinel");
        await File.WriteAllTextAsync(sentinelPath, "a");
        using var sentinel = new ConfigFileWatcher(sentinelPath, _ => { }, time);
        sentinel.Start();

        await File.WriteAllTextAsync(Path.Combine(_dir, "kubeconfig.conf"), "x");
        await File.AppendAllTextAsync(sentinelPath, "b");

        Assert.True(await EventuallyAsync(() => sentinel.HasFired));
        Assert.False(watcher.HasFired);
    }

    [Fact]
    public void The_poll_catches_a_content_change_without_the_file_system_watcher()
    {
        var time = new FakeTimeProvider();
        var fired = 0;
        using var watcher = new ConfigFileWatcher(_file, _ => Interlocked.Increment(ref fired), time,
            TimeSpan.FromSeconds(2), useFileSystemWatcher: false);
        watcher.Start();

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, fired);

        File.WriteAllText(_file, "mode: ipvs\n");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, fired);

        File.WriteAllText(_file, "mode: nftables\n");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, fired);
    }

    [Fact]
    public void The_poll_compares_against_the_content_that_was_loaded()
    {
        var loadedHash = KubeProxyConfigurationLoader.Hash(File.ReadAllBytes(_file));
        File.WriteAllText(_file, "mode: ipvs\n");

        var time = new FakeTimeProvider();
        using var watcher = new ConfigFileWatcher(_file, _ => { }, time, TimeSpan.FromSeconds(2),
            initialContentHash: loadedHash, useFileSystemWatcher: false);
        watcher.Start();
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(watcher.HasFired);
    }

    [Fact]
    public void The_poll_notices_removal()
    {
        var time = new FakeTimeProvider();
        string? reason = null;
        using var watcher = new ConfigFileWatcher(_file, r => reason = r, time, TimeSpan.FromSeconds(1), useFileSystemWatcher: false);
        watcher.Start();

        File.Delete(_file);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Contains("(removed)", reason, StringComparison.Ordinal);
    }
}
