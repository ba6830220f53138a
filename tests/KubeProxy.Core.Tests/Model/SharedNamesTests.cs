using KubeProxy.Core.Model;

namespace KubeProxy.Core.Tests.Model;

public sealed class SharedNamesTests
{
    [Fact]
    public void Equal_strings_come_back_as_one_instance()
    {
        var pool = new SharedNames();
        var first = pool.Get(new string("kube-system"));
        var second = pool.Get(new string("kube-system"));
        Assert.Same(first, second);
        Assert.Equal("kube-system", first);
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void A_span_finds_the_pooled_string_and_adds_a_new_one()
    {
        var pool = new SharedNames();
        var pooled = pool.Get(new string("zone-a"));
        Assert.Same(pooled, pool.Get("xzone-a".AsSpan(1)));
        var added = pool.Get("node-7".AsSpan());
        Assert.Same(added, pool.Get(new string("node-7")));
    }

    [Fact]
    public void A_full_pool_returns_the_callers_string_and_stays_bounded()
    {
        var pool = new SharedNames(maxEntries: 2);
        pool.Get("a");
        pool.Get("b");
        var third = new string("c");
        Assert.Same(third, pool.Get(third));
        Assert.Same(third, pool.Get(third));
        Assert.Equal(2, pool.Count);
        // Already pooled strings are still shared.
        Assert.Same(pool.Get("a"), pool.Get(new string("a")));
    }

    [Fact]
    public void Long_strings_are_not_pooled()
    {
        var pool = new SharedNames(maxLength: 4);
        var longer = new string('x', 5);
        Assert.Same(longer, pool.Get(longer));
        Assert.Equal("xxxxx", pool.Get(longer.AsSpan()));
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Empty_and_null_need_no_entry()
    {
        var pool = new SharedNames();
        Assert.Same("", pool.Get(new string(' ', 0)));
        Assert.Null(pool.GetOrNull(null));
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Concurrent_adders_never_overshoot_the_bound()
    {
        var pool = new SharedNames(maxEntries: 100);
        Parallel.For(0, 1000, i => pool.Get($"name-{i % 300}"));
        Assert.Equal(100, pool.Count);
    }
}
