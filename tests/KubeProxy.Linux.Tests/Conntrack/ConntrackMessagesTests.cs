using KubeProxy.Core.Model;
using KubeProxy.Linux.Conntrack;
using KubeProxy.Linux.Netlink;
using KubeProxy.Linux.Tests.Support;

namespace KubeProxy.Linux.Tests.Conntrack;

public class ConntrackMessagesTests
{
    internal static ConntrackEntry Udp(string src, ushort sport, string dst, ushort dport, string replySrc, ushort replySport, uint id = 0) => new()
    {
        Protocol = IPProtocolNumber.Udp,
        Original = new ConntrackTuple(NetAddress.Parse(src), NetAddress.Parse(dst), sport, dport),
        Reply = new ConntrackTuple(NetAddress.Parse(replySrc), NetAddress.Parse(src), replySport, sport),
        Id = id,
    };

    [Fact]
    public void Delete_request_is_byte_exact()
    {
        using var builder = new NetlinkMessageBuilder();
        ConntrackMessages.WriteDelete(builder, Udp("198.18.0.1", 40000, "198.19.0.10", 53, "198.18.64.5", 5353, id: 0x01020304));

        // nlmsghdr: len 80, type NFNL_SUBSYS_CTNETLINK<<8 | IPCTNL_MSG_CT_DELETE, flags NLM_F_REQUEST
        // nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
        // CTA_TUPLE_ORIG { CTA_TUPLE_IP { V4_SRC, V4_DST }, CTA_TUPLE_PROTO { NUM 17, SRC_PORT, DST_PORT } }, CTA_ID
        var expected = Bytes.Hex("""
            50000000 0201 0100 00000000 00000000
            02000000
            34000180
              14000180 08000100 c6120001 08000200 c613000a
              1c000280 05000100 11000000 06000200 9c400000 06000300 00350000
            08000c00 01020304
            """);
        Assert.Equal(expected, builder.WrittenSpan.ToArray());
    }

    [Fact]
    public void Dump_request_filters_by_family_and_by_protocol_in_the_kernel()
    {
        using var builder = new NetlinkMessageBuilder();
        ConntrackMessages.WriteDumpRequest(builder, IPFamily.IPv6, IPProtocolNumber.Udp);

        // flags NLM_F_REQUEST|NLM_F_DUMP; nfgenmsg AF_INET6; CTA_TUPLE_ORIG { CTA_TUPLE_PROTO { NUM 17 } };
        // CTA_FILTER { CTA_FILTER_ORIG_FLAGS = CTA_FILTER_FLAG_CTA_PROTO_NUM }
        var expected = Bytes.Hex("""
            30000000 0101 0103 00000000 00000000
            0a000000
            10000180 0c000280 05000100 11000000
            0c001980 08000100 08000000
            """);
        Assert.Equal(expected, builder.WrittenSpan.ToArray());

        builder.Reset();
        ConntrackMessages.WriteDumpRequest(builder, IPFamily.IPv4, 0);
        Assert.Equal(Bytes.Hex("14000000 0101 0103 00000000 00000000 02000000"), builder.WrittenSpan.ToArray());
    }

    [Fact]
    public void Create_request_carries_both_tuples_timeout_and_tcp_state()
    {
        using var builder = new NetlinkMessageBuilder();
        var entry = Udp("198.18.0.1", 40000, "198.19.0.10", 53, "198.18.64.5", 5353) with { Protocol = IPProtocolNumber.Tcp, Mark = 7 };
        ConntrackMessages.WriteCreate(builder, entry, 120);

        var types = new List<string>();
        foreach (var message in new NetlinkMessageReader(builder.WrittenSpan))
        {
            Assert.Equal(0x0100, message.Type);
            Assert.Equal(NetlinkMessageFlags.Request | NetlinkMessageFlags.Create | NetlinkMessageFlags.Excl, message.Flags);
            foreach (var attribute in message.Attributes(4))
            {
                types.Add(attribute.Type switch
                {
                    1 => "orig",
                    2 => "reply",
                    7 => $"timeout={attribute.GetU32BigEndian()}",
                    8 => $"mark={attribute.GetU32BigEndian()}",
                    4 => "protoinfo",
                    _ => attribute.Type.ToString(),
                });
            }
        }
        Assert.Equal(["orig", "reply", "timeout=120", "mark=7", "protoinfo"], types);
    }

    [Fact]
    public void Parses_a_dumped_entry_as_the_kernel_lays_it_out()
    {
        // What ctnetlink_fill_info emits for a DNATed UDP flow: tuples, status, mark, id, use, timeout.
        static byte[] Tuple(ushort type, string src, string dst, ushort sport, ushort dport) => Bytes.Nest(type,
            Bytes.Nest(1, Bytes.Attr(1, Bytes.IP(src)), Bytes.Attr(2, Bytes.IP(dst))),
            Bytes.Nest(2, Bytes.Attr(1, 17), Bytes.Attr(2, Bytes.BE16(sport)), Bytes.Attr(3, Bytes.BE16(dport))));
        var message = Bytes.Message(0x0100, 0x2, 9, 77,
            [2, 0, 0, 0],
            Tuple(1, "198.18.0.1", "198.19.0.10", 40000, 53),
            Tuple(2, "198.18.64.5", "198.18.0.1", 5353, 40000),
            Bytes.Attr(3, Bytes.BE32(0x18e)),
            Bytes.Attr(8, Bytes.BE32(0x4000)),
            Bytes.Attr(12, Bytes.BE32(0xcafe)),
            Bytes.Attr(11, Bytes.BE32(1)),
            Bytes.Attr(7, Bytes.BE32(29)),
            Bytes.Attr(18, Bytes.BE16(3)));

        ConntrackEntry entry = default;
        var parsed = false;
        foreach (var m in new NetlinkMessageReader(message)) parsed = ConntrackMessages.TryParseEntry(m, out entry);

        Assert.True(parsed);
        Assert.Equal(IPProtocolNumber.Udp, entry.Protocol);
        Assert.Equal(new ConntrackTuple(NetAddress.Parse("198.18.0.1"), NetAddress.Parse("198.19.0.10"), 40000, 53), entry.Original);
        Assert.Equal(new ConntrackTuple(NetAddress.Parse("198.18.64.5"), NetAddress.Parse("198.18.0.1"), 5353, 40000), entry.Reply);
        Assert.Equal(0x4000u, entry.Mark);
        Assert.Equal(0xcafeu, entry.Id);
        Assert.Equal(0x18eu, entry.Status);
        Assert.Equal(29u, entry.TimeoutSeconds);
        Assert.Equal((ushort)3, entry.Zone);
        Assert.Equal(
            "udp src=198.18.0.1 dst=198.19.0.10 sport=40000 dport=53 src=198.18.64.5 dst=198.18.0.1 sport=5353 dport=40000 zone=3 mark=16384",
            entry.ToString());
    }

    [Fact]
    public void Other_message_types_and_entries_without_tuples_are_skipped()
    {
        var stats = Bytes.Message(0x0105, 0, 1, 1, [0, 0, 0, 0], Bytes.Attr(1, Bytes.BE32(5)));
        var noTuples = Bytes.Message(0x0100, 0, 1, 1, [2, 0, 0, 0], Bytes.Attr(3, Bytes.BE32(5)));
        foreach (var m in new NetlinkMessageReader(stats)) Assert.False(ConntrackMessages.TryParseEntry(m, out _));
        foreach (var m in new NetlinkMessageReader(noTuples)) Assert.False(ConntrackMessages.TryParseEntry(m, out _));
    }
}
