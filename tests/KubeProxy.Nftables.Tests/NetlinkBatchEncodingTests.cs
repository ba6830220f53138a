using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;
using KubeProxy.Nftables.Netlink;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// The byte-level parts of the netlink encoder that the kernel equivalence tests (NetlinkPartialSyncTests) can only
/// show indirectly: element key layout, batch framing, and which rules are refused so that they go to nft as text.
/// </summary>
public class NetlinkBatchEncodingTests
{
    [Fact]
    public void Concatenated_keys_put_each_field_in_its_own_four_byte_slot()
    {
        Assert.Equal(
            Convert.FromHexString("C6130001" + "06000000" + "00500000"),
            NftElementCodec.Key("198.19.0.1 . tcp . 80", IPFamily.IPv4));
        Assert.Equal(Convert.FromHexString("11000000" + "75800000"), NftElementCodec.Key("udp . 30080", IPFamily.IPv4));
        Assert.Equal(Convert.FromHexString("84000000" + "23280000"), NftElementCodec.Key("sctp . 9000", IPFamily.IPv4));
        Assert.Equal(
            Convert.FromHexString("FD000020000000000000000000000010" + "06000000" + "00500000"),
            NftElementCodec.Key("fd00:20::10 . tcp . 80", IPFamily.IPv6));
        Assert.Equal(Convert.FromHexString("C6130001"), NftElementCodec.Key("198.19.0.1", IPFamily.IPv4));
    }

    [Theory]
    [InlineData("ip saddr != { 198.19.128.0/24, 198.18.0.0/24 } drop")]
    [InlineData("ip6 saddr 198.18.0.1 jump mark-for-masquerade")]
    [InlineData("dnat to 198.18.64.1:8080")]
    [InlineData("counter")]
    [InlineData("goto chain drop")]
    [InlineData("iifname \"an-interface-name-too-long\" goto x")]
    [InlineData("numgen random mod 2 == 2 goto x")]
    [InlineData("goto \"quoted\"")]
    public void Rules_outside_the_Service_vocabulary_are_refused(string rule)
    {
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        Assert.Throws<NftUnsupportedException>(() => batch.AddRule("c", rule));
    }

    [Fact]
    public void A_rule_longer_than_the_encoder_reads_is_refused_not_cut()
    {
        // The compiler reads a rule's words into a fixed stack buffer: a longer rule must go to nft, whole.
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        var rule = string.Join(' ', Enumerable.Repeat("ip saddr 198.18.0.1", 20)) + " drop";
        var e = Assert.Throws<NftUnsupportedException>(() => batch.AddRule("c", rule));
        Assert.Contains("more than", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.19.0.1 .  . 80")]
    [InlineData("198.19.0.1 . 198.19.0.2 . 198.19.0.3 . 198.19.0.4 . 198.19.0.5 . 198.19.0.6 . 198.19.0.7 . 198.19.0.8 . 198.19.0.9 . 198.19.0.10 . 198.19.0.11 . 198.19.0.12 . 198.19.0.13 . 198.19.0.14 . 198.19.0.15 . 198.19.0.16 . 198.19.0.17")]
    [InlineData("198.19.0.1 . tcp . 0")]
    [InlineData("198.19.0.1 . icmp . 80")]
    public void Malformed_keys_are_refused(string key)
    {
        // (A key with more fields than the set's type is the kernel's to refuse; one longer than any key can be is ours.)
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        Assert.Throws<NftUnsupportedException>(() => batch.AddElement(new MapElement("service-ips", key, "goto x")));
    }

    [Fact]
    public void Keys_of_the_wrong_family_are_refused()
    {
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        Assert.Throws<NftUnsupportedException>(() => batch.AddElement(new MapElement("cluster-ips", "fd00::1", "")));
        // The batch is abandoned after a refused command: nothing half-written can be sent.
        Assert.Throws<InvalidOperationException>(() => batch.AddChain("c"));
        using var other = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        Assert.Throws<NftUnsupportedException>(() => other.AddElement(new MapElement("service-ips", "198.19.0.1 . tcp . 80", "jump")));
    }

    [Fact]
    public void A_batch_is_framed_and_only_its_last_command_asks_for_an_ack()
    {
        using var batch = new NftNetlinkBatch(IPFamily.IPv6, "kube-proxy");
        batch.AddChain("endpoint-x");
        batch.AddRule("endpoint-x", "meta l4proto tcp dnat to [fd00:10::1]:8080");
        batch.AddElement(new MapElement("service-ips", "fd00:20::1 . tcp . 80", "goto endpoint-x", "default/web:p"));
        var messages = batch.Finish();

        var seen = new List<(ushort Type, NetlinkMessageFlags Flags, byte Family, ushort ResId)>();
        foreach (var m in new NetlinkMessageReader(messages.WrittenSpan))
        {
            seen.Add((m.Type, m.Flags, m.Payload[0], (ushort)((m.Payload[2] << 8) | m.Payload[3])));
        }

        Assert.Equal(5, seen.Count);
        Assert.Equal(((ushort)0x10, NetlinkMessageFlags.Request, (byte)0, (ushort)10), seen[0]);
        Assert.Equal(((ushort)0x11, NetlinkMessageFlags.Request, (byte)0, (ushort)10), seen[4]);
        Assert.Equal((ushort)((10 << 8) | 3), seen[1].Type);
        Assert.Equal((ushort)((10 << 8) | 6), seen[2].Type);
        Assert.Equal((ushort)((10 << 8) | 12), seen[3].Type);
        Assert.All(seen.Skip(1).Take(3), s => Assert.Equal((byte)10, s.Family));
        Assert.Equal(0, (int)(seen[1].Flags & NetlinkMessageFlags.Ack));
        Assert.Equal(0, (int)(seen[2].Flags & NetlinkMessageFlags.Ack));
        Assert.Equal(NetlinkMessageFlags.Ack, seen[3].Flags & NetlinkMessageFlags.Ack);
        Assert.Equal("add rule endpoint-x meta l4proto tcp dnat to [fd00:10::1]:8080", batch.Describe(2));
    }

    [Fact]
    public void Consecutive_elements_of_one_set_share_a_message_until_the_set_or_table_changes_or_the_list_is_full()
    {
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        for (var i = 0; i < 3; i++) batch.AddElement(new MapElement("endpoint-targets-tcp", i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"198.18.64.{i + 1} . 8080"));
        batch.AddElement(new MapElement("cluster-ips", "198.19.0.1", ""));
        batch.UseTable("kube-proxy-1");
        batch.AddElement(new MapElement("cluster-ips", "198.19.0.2", ""));
        Assert.Equal(3, batch.Commands);
        Assert.Equal("one of 3 elements, the first: add element endpoint-targets-tcp { 0 }", batch.Describe(1));
        Assert.Equal("add element cluster-ips { 198.19.0.2 } (table kube-proxy-1)", batch.Describe(3));

        // Each message's element list is one nested attribute (16-bit length): a long run is split.
        using var many = new NftNetlinkBatch(IPFamily.IPv6, "kube-proxy");
        for (var i = 0; i < 3_000; i++) many.AddElement(new MapElement("hairpin-endpoints", $"fd00:10::{i:x} . fd00:10::{i:x}", ""));
        Assert.InRange(many.Commands, 2, 10);
        var elements = 0;
        foreach (var m in new NetlinkMessageReader(many.Finish().WrittenSpan))
        {
            if (m.Type != (ushort)((10 << 8) | 12)) continue;
            foreach (var a in m.Attributes(4))
            {
                if (a.Type != 3) continue;
                foreach (var _ in a.Nested) elements++;
            }
        }
        Assert.Equal(3_000, elements);
    }

    [Fact]
    public void Deferred_elements_are_written_as_added_elements_are_by_table_and_set_and_the_table_stays()
    {
        // The same elements, added in order (sorted by table and set) to one batch and deferred in mixed order to
        // another, make the same bytes.
        var elements = new List<(string Table, MapElement Element)>();
        for (var i = 0; i < 3_000; i++) elements.Add(("kube-proxy", new MapElement("hairpin-endpoints", $"fd00:10::{i:x} . fd00:10::{i:x}", "")));
        for (var i = 0; i < 5; i++) elements.Add(("kube-proxy-1", new MapElement("endpoint-targets-tcp", i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"[fd00:64::{i + 1}] . 8080".Trim('[').Replace("]", "", StringComparison.Ordinal))));
        elements.Add(("kube-proxy-1", new MapElement("cluster-ips", "fd00:19::1", "")));
        elements.Add(("kube-proxy", new MapElement("service-ips", "fd00:19::2 . tcp . 80", "goto service-x", "ns/x")));

        using var added = new NftNetlinkBatch(IPFamily.IPv6, "kube-proxy", describeDetails: false);
        added.AddChain("c");
        foreach (var (table, e) in elements.OrderBy(t => t.Table, StringComparer.Ordinal).ThenBy(t => t.Element.Map, StringComparer.Ordinal))
        {
            added.UseTable(table);
            added.AddElement(e);
        }
        added.UseTable("kube-proxy");
        added.AddChain("d");

        using var deferred = new NftNetlinkBatch(IPFamily.IPv6, "kube-proxy", describeDetails: false);
        deferred.AddChain("c");
        foreach (var (table, e) in elements.AsEnumerable().Reverse().GroupBy(t => t.Element.Map).SelectMany(g => g.Reverse()))
        {
            deferred.DeferElement(table, e);
        }
        deferred.WriteDeferredElements();
        // Written while the batch addressed kube-proxy: the next command addresses it still.
        deferred.AddChain("d");

        Assert.Equal(added.Commands, deferred.Commands);
        Assert.True(added.Finish().WrittenSpan.SequenceEqual(deferred.Finish().WrittenSpan));
        Assert.Equal(added.Describe(2), deferred.Describe(2));
    }

    [Fact]
    public void A_batch_with_deferred_elements_not_written_is_not_sent()
    {
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        batch.AddChain("c");
        batch.DeferElement("kube-proxy", new MapElement("cluster-ips", "198.19.0.1", ""));
        Assert.Throws<InvalidOperationException>(() => batch.Finish());
        Assert.Throws<NftUnsupportedException>(() => batch.DeferElement("kube-proxy", new MapElement("cluster-ips", "fd00::1", "")));
    }

    [Fact]
    public void A_batch_whose_element_failed_to_encode_takes_no_more_elements_of_that_set()
    {
        using var batch = new NftNetlinkBatch(IPFamily.IPv4, "kube-proxy");
        batch.AddElement(new MapElement("cluster-ips", "198.19.0.1", ""));
        Assert.Throws<NftUnsupportedException>(() => batch.AddElement(new MapElement("cluster-ips", "fd00::1", "")));
        Assert.Throws<InvalidOperationException>(() => batch.AddElement(new MapElement("cluster-ips", "198.19.0.3", "")));
    }
}
