using KubeProxy.Core.Model;
using KubeProxy.Hosting;
using KubeProxy.Tests.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeProxy.Tests.Hosting;

/// <summary>When the trim runs: allocation and collection are stand-ins, so nothing here depends on real GC timing.</summary>
public sealed class MemoryTrimHookTests
{
    private const long MiB = 1024 * 1024;

    private long _allocated = 1000 * MiB;
    private int _collections;

    private MemoryTrimHook Hook(params IPFamily[] families) =>
        new(families, NullLogger.Instance, () => _allocated, () => _collections++);

    [Fact]
    public void A_full_sync_after_enough_allocation_trims_once()
    {
        var hook = Hook(IPFamily.IPv4);
        _allocated += 65 * MiB;
        Assert.True(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        Assert.Equal(1, _collections);

        // Nothing new allocated: the next full sync has nothing to give back.
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Partial_syncs_never_trim_however_much_they_allocate()
    {
        var hook = Hook(IPFamily.IPv4);
        _allocated += 500 * MiB;
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: false));
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: false));
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void Too_little_allocation_since_the_last_trim_does_not_trim()
    {
        var hook = Hook(IPFamily.IPv4);
        _allocated += MemoryTrimHook.AllocationThreshold;
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: true));

        // The full sync is remembered: a later partial sync that takes allocation past the threshold trims.
        _allocated += 1;
        Assert.True(hook.OnSynced(IPFamily.IPv4, fullSync: false));
        Assert.Equal(1, hook.Trims);
    }

    [Fact]
    public void Dual_stack_waits_for_the_last_family_of_the_round()
    {
        var hook = Hook(IPFamily.IPv4, IPFamily.IPv6);
        _allocated += 100 * MiB;
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        Assert.Equal(0, _collections);
        _allocated += 100 * MiB;
        Assert.True(hook.OnSynced(IPFamily.IPv6, fullSync: true));
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void A_full_sync_of_the_first_family_alone_is_enough_for_the_round()
    {
        var hook = Hook(IPFamily.IPv6, IPFamily.IPv4);
        _allocated += 100 * MiB;
        Assert.False(hook.OnSynced(IPFamily.IPv6, fullSync: true));
        Assert.True(hook.OnSynced(IPFamily.IPv4, fullSync: false));
    }

    [Fact]
    public void The_allocation_count_restarts_after_a_trim()
    {
        var hook = Hook(IPFamily.IPv4);
        _allocated += 100 * MiB;
        Assert.True(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        _allocated += 60 * MiB;
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        _allocated += 10 * MiB;
        Assert.True(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Between_full_syncs_a_round_after_enough_allocation_without_any_collection_collects_the_young_generation()
    {
        var gcs = 5;
        var young = 0;
        var hook = new MemoryTrimHook([IPFamily.IPv4, IPFamily.IPv6], NullLogger.Instance, () => _allocated, () => _collections++, () => gcs, () => { young++; gcs++; });

        _allocated += MemoryTrimHook.YoungBudget;
        Assert.False(hook.OnSynced(IPFamily.IPv6, fullSync: false));
        Assert.Equal(0, young); // not more than the budget yet

        _allocated += 1;
        hook.OnSynced(IPFamily.IPv4, fullSync: false);
        Assert.Equal(0, young); // waits for the round's last family
        hook.OnSynced(IPFamily.IPv6, fullSync: false);
        Assert.Equal((1, 1, 0), (young, hook.YoungCollections, _collections));

        // The GC collected by itself since: the count starts again from there, nothing forced.
        _allocated += MemoryTrimHook.YoungBudget - MiB;
        gcs++;
        hook.OnSynced(IPFamily.IPv6, fullSync: false);
        _allocated += MemoryTrimHook.YoungBudget - MiB;
        hook.OnSynced(IPFamily.IPv6, fullSync: false);
        Assert.Equal(1, young);
        _allocated += 2 * MiB;
        hook.OnSynced(IPFamily.IPv6, fullSync: false);
        Assert.Equal(2, young);
    }

    [Fact]
    public void A_trim_counts_as_a_collection_for_the_young_budget()
    {
        var young = 0;
        var hook = new MemoryTrimHook([IPFamily.IPv4], NullLogger.Instance, () => _allocated, () => _collections++, () => _collections, () => young++);
        _allocated += 100 * MiB;
        Assert.True(hook.OnSynced(IPFamily.IPv4, fullSync: true));
        _allocated += MemoryTrimHook.YoungBudget;
        Assert.False(hook.OnSynced(IPFamily.IPv4, fullSync: false));
        Assert.Equal((1, 0), (_collections, young));
    }

    [Fact]
    public void A_trim_is_logged_at_debug_with_the_allocation_that_caused_it()
    {
        var logger = new ListLogger();
        var hook = new MemoryTrimHook([IPFamily.IPv4], logger, () => _allocated, () => _collections++);
        _allocated += 200 * MiB;
        hook.OnSynced(IPFamily.IPv4, fullSync: true);

        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, level);
        Assert.StartsWith("Memory trim after full sync (200 MiB allocated since the last): heap ", message, StringComparison.Ordinal);
        Assert.Contains("RSS ", message, StringComparison.Ordinal);
    }
}
