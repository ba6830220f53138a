using KubeProxy.Core.Model;
using KubeProxy.Nftables.Rendering;
using KubeProxy.Nftables.State;

namespace KubeProxy.Nftables.Tests;

/// <summary>The packed per-Service record: lookups and the old-versus-new diff the partial sync is built on.</summary>
public class ServiceRecordTests
{
    private static readonly ObjectName Service = new("ns", "svc");

    private static ServiceRules Rules(
        IEnumerable<(string Name, string[] Rules)>? chains = null,
        IEnumerable<MapElement>? elements = null,
        IEnumerable<AffinitySet>? sets = null)
    {
        var rules = new ServiceRules(Service);
        foreach (var (name, lines) in chains ?? []) rules.Chains.Add(new RenderedChain(name, lines));
        rules.Elements.AddRange(elements ?? []);
        rules.AffinitySets.AddRange(sets ?? []);
        return rules;
    }

    [Fact]
    public void Empty_rules_give_the_empty_record()
    {
        var record = ServiceRecord.From(Rules());
        Assert.Same(ServiceRecord.Empty, record);
        Assert.False(record.TryGetChain("x", out _));
        Assert.Empty(record.ChainsMissingFrom(ServiceRecord.Empty));
    }

    [Fact]
    public void Lookups_find_what_was_rendered_and_nothing_else()
    {
        var record = ServiceRecord.From(Rules(
            [("svc-a", ["jump x"]), ("endpoint-b", ["dnat to 198.18.0.1"])],
            [new MapElement("service-ips", "198.19.0.1 . tcp . 80", "goto svc-a"), new MapElement("cluster-ips", "198.19.0.1", "")],
            [new AffinitySet("affinity-b", 10800)]));

        Assert.True(record.TryGetChain("svc-a", out var hash));
        Assert.Equal(Hash.Of(["jump x"]), hash);
        Assert.False(record.TryGetChain("svc-", out _));
        Assert.False(record.TryGetChain("affinity-b", out _)); // sections do not mix
        Assert.True(record.TryGetElement("service-ips", "198.19.0.1 . tcp . 80", out var value));
        Assert.Equal(Hash.Of("goto svc-a", null), value);
        Assert.False(record.TryGetElement("cluster-ips", "198.19.0.1 . tcp . 80", out _));
        Assert.True(record.TryGetAffinitySet("affinity-b", out var timeout));
        Assert.Equal(10800, timeout);
        Assert.Equal((2, 2, 1), (record.ChainCount, record.ElementCount, record.AffinitySetCount));
        Assert.Equal(["svc-a", "endpoint-b"], record.Chains.Select(c => c.Name));
        Assert.Equal(new ElementKey("service-ips", "198.19.0.1 . tcp . 80"), record.Elements.First().Key);
    }

    [Fact]
    public void Diff_reports_removed_and_changed_entries_in_render_order()
    {
        var old = ServiceRecord.From(Rules(
            [("c1", ["a"]), ("c2", ["b"]), ("c3", ["c"])],
            [new MapElement("m", "k1", "v1"), new MapElement("m", "k2", "v2"), new MapElement("m", "k3", "v3", "note")],
            [new AffinitySet("s1", 10), new AffinitySet("s2", 20)]));
        var next = ServiceRecord.From(Rules(
            [("c2", ["changed"]), ("c4", ["d"])],
            [new MapElement("m", "k1", "v1"), new MapElement("m", "k2", "other"), new MapElement("m", "k3", "v3", "other note")],
            [new AffinitySet("s1", 10), new AffinitySet("s2", 30)]));

        Assert.Equal(["c1", "c3"], old.ChainsMissingFrom(next));
        Assert.Equal([new ElementKey("m", "k2"), new ElementKey("m", "k3")], old.ElementsChangedOrMissingIn(next));
        Assert.Equal(["s2"], old.AffinitySetsChangedOrMissingIn(next));
        Assert.Equal(["c4"], next.ChainsMissingFrom(old));
        Assert.Empty(old.ElementsChangedOrMissingIn(old));
    }

    [Fact]
    public void Diff_against_the_empty_record_is_everything()
    {
        var record = ServiceRecord.From(Rules([("c1", ["a"])], [new MapElement("m", "k", "")], [new AffinitySet("s", 5)]));
        Assert.Equal(["c1"], record.ChainsMissingFrom(ServiceRecord.Empty));
        Assert.Equal([new ElementKey("m", "k")], record.ElementsChangedOrMissingIn(ServiceRecord.Empty));
        Assert.Equal(["s"], record.AffinitySetsChangedOrMissingIn(ServiceRecord.Empty));
    }

    [Fact]
    public void A_map_and_key_pair_is_not_confused_with_another_split_of_the_same_text()
    {
        var record = ServiceRecord.From(Rules(elements: [new MapElement("ab", "c", "v")]));
        Assert.False(record.TryGetElement("a", "bc", out _));
        Assert.True(record.TryGetElement("ab", "c", out _));
    }

    [Theory]
    [InlineData(ServiceRecord.IndexThreshold - 1)]
    [InlineData(ServiceRecord.IndexThreshold + 1)]
    [InlineData(500)]
    public void Large_and_small_sections_find_every_entry(int count)
    {
        var names = Enumerable.Range(0, count).Select(i => $"endpoint-{i:x8}-ns/svc/tcp/__198.18.{i / 250}.{i % 250}/80").ToArray();
        var record = ServiceRecord.From(Rules(
            names.Select(n => (n, new[] { "rule " + n })),
            names.Select(n => new MapElement("m", n, "v" + n)),
            names.Select((n, i) => new AffinitySet("affinity-" + n, i))));

        for (var i = 0; i < count; i++)
        {
            Assert.True(record.TryGetChain(names[i], out var h));
            Assert.Equal(Hash.Of(["rule " + names[i]]), h);
            Assert.True(record.TryGetElement("m", names[i], out _));
            Assert.True(record.TryGetAffinitySet("affinity-" + names[i], out var t));
            Assert.Equal(i, t);
        }
        Assert.False(record.TryGetChain("endpoint-missing", out _));
        Assert.Equal(names, record.Chains.Select(c => c.Name));
        // Dropping every other chain: the diff names exactly those, in render order.
        var next = ServiceRecord.From(Rules(names.Where((_, i) => i % 2 == 0).Select(n => (n, new[] { "rule " + n }))));
        Assert.Equal(names.Where((_, i) => i % 2 == 1), record.ChainsMissingFrom(next));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void A_name_given_twice_keeps_its_first_place_and_last_value(int count)
    {
        var elements = Enumerable.Range(0, count).Select(i => new MapElement("m", $"k{i}", "v")).ToList();
        elements.Add(new MapElement("m", "k0", "last"));
        var record = ServiceRecord.From(Rules(elements: elements));

        Assert.Equal(count, record.ElementCount);
        Assert.Equal("k0", record.Elements.First().Key.Key);
        Assert.True(record.TryGetElement("m", "k0", out var value));
        Assert.Equal(Hash.Of("last", null), value);
    }

    [Fact]
    public void Elements_of_the_renderers_maps_and_of_other_maps_keep_their_map_names()
    {
        // The renderer's maps are stored as one-byte codes, other maps by name; a one-letter map name must not be taken
        // for a code, and the same key in several maps stays several elements.
        // The last endpoint-targets map has the highest code.
        var targets = ServiceRenderer.EndpointTargetsMaps().Select(m => m.Map).ToArray();
        string[] maps = [targets[0], targets[^1], ServiceRenderer.HairpinSet, "x", "endpoint-targets-"];
        var record = ServiceRecord.From(Rules(elements: maps.Select(m => new MapElement(m, "1", "v-" + m))));

        Assert.Equal(maps.Select(m => new ElementKey(m, "1")), record.Elements.Select(e => e.Key));
        foreach (var m in maps)
        {
            Assert.True(record.TryGetElement(m, "1", out var value));
            Assert.Equal(Hash.Of("v-" + m, null), value);
        }
        Assert.False(record.TryGetElement(targets[1], "1", out _));
        Assert.Equal(maps.Select(m => new ElementKey(m, "1")), record.ElementsChangedOrMissingIn(ServiceRecord.Empty));
    }

    [Fact]
    public void Hairpin_keys_of_one_address_twice_and_of_two_addresses_both_round_trip()
    {
        // An address twice is stored once under its own code; any other hairpin key (never rendered, but possible) as is.
        string[] keys = ["198.18.64.1 . 198.18.64.1", "fd00::1 . fd00::1", "198.18.64.1 . 198.18.64.2", "198.18.64.1", "a . a . a"];
        var record = ServiceRecord.From(Rules(elements: keys.Select(k => new MapElement(ServiceRenderer.HairpinSet, k, ""))));

        Assert.Equal(keys.Select(k => new ElementKey(ServiceRenderer.HairpinSet, k)), record.Elements.Select(e => e.Key));
        Assert.All(keys, k => Assert.True(record.TryGetElement(ServiceRenderer.HairpinSet, k, out _)));
        Assert.False(record.TryGetElement(ServiceRenderer.HairpinSet, "198.18.64.2 . 198.18.64.2", out _));
        Assert.False(record.TryGetElement("other-set", "198.18.64.1 . 198.18.64.1", out _));
        Assert.Equal(keys.Select(k => new ElementKey(ServiceRenderer.HairpinSet, k)), record.ElementsChangedOrMissingIn(ServiceRecord.Empty));
    }

    [Fact]
    public void Non_ascii_names_round_trip()
    {
        var record = ServiceRecord.From(Rules([("chain-ü-名前", ["x"])]));
        Assert.True(record.ContainsChain("chain-ü-名前"));
        Assert.Equal("chain-ü-名前", record.Chains.Single().Name);
    }
}
