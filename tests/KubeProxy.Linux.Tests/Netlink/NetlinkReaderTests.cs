using KubeProxy.Linux.Netlink;
using KubeProxy.Linux.Tests.Support;

namespace KubeProxy.Linux.Tests.Netlink;

public class NetlinkReaderTests
{
    [Fact]
    public void Reads_messages_and_nested_attributes_in_place()
    {
        var datagram = Bytes.Message(0x0100, 0x2, 7, 99,
            [2, 0, 0, 0],
            Bytes.Nest(1, Bytes.Attr(1, Bytes.IP("198.18.0.1")), Bytes.Attr(2, Bytes.BE16(53))),
            Bytes.Attr(3, Bytes.BE32(0xdeadbeef)),
            Bytes.Attr(4, "kube\0"u8.ToArray()))
            .Concat(Bytes.Message(3, 0x2, 7, 99, [0, 0, 0, 0])).ToArray();

        var messages = 0;
        foreach (var message in new NetlinkMessageReader(datagram))
        {
            messages++;
            if (message.Type == NetlinkMessageType.Done) continue;
            Assert.Equal(0x0100, message.Type);
            Assert.Equal(NetlinkMessageFlags.Multi, message.Flags);
            Assert.Equal(7u, message.Sequence);
            Assert.Equal(99u, message.PortId);
            var seen = new List<string>();
            foreach (var attribute in message.Attributes(4))
            {
                switch (attribute.Type)
                {
                    case 1:
                        Assert.True(attribute.IsNested);
                        foreach (var inner in attribute.Nested)
                        {
                            seen.Add(inner.Type == 1 ? inner.GetAddress().ToString() : inner.GetU16BigEndian().ToString());
                        }
                        break;
                    case 3:
                        seen.Add(attribute.GetU32BigEndian().ToString("x"));
                        break;
                    case 4:
                        seen.Add(attribute.GetString());
                        break;
                }
            }
            Assert.Equal(["198.18.0.1", "53", "deadbeef", "kube"], seen);
        }
        Assert.Equal(2, messages);
    }

    [Fact]
    public void Malformed_lengths_are_errors_not_silent_garbage()
    {
        var overrun = Bytes.Message(0x10, 0, 1, 1, [0x20, 0, 1, 0, 0, 0, 0, 0]);
        Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var m in new NetlinkMessageReader(overrun))
            {
                foreach (var a in m.Attributes(0)) _ = a.Type;
            }
        });

        var header = Bytes.Message(0x10, 0, 1, 1);
        BitConverter.TryWriteBytes(header.AsSpan(0), 400u);
        Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var m in new NetlinkMessageReader(header)) _ = m.Type;
        });

        var shortValue = Bytes.Message(0x10, 0, 1, 1, Bytes.Attr(1, 1, 2));
        Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var m in new NetlinkMessageReader(shortValue))
            {
                foreach (var a in m.Attributes(0)) a.GetU32();
            }
        });
    }

    [Fact]
    public void Error_messages_decode_errno_sequence_and_extended_ack_text()
    {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS: -errno, the request's header, then NLMSGERR_ATTR_MSG.
        var error = Bytes.Message(NetlinkMessageType.Error, 0x300, 5, 42,
            BitConverter.GetBytes(-Errno.ENOENT),
            Bytes.Message(0x0102, 0x5, 5, 0),
            Bytes.Attr(1, "no such entry\0"u8.ToArray()));
        foreach (var message in new NetlinkMessageReader(error))
        {
            var parsed = NetlinkError.Parse(message);
            Assert.Equal(new NetlinkError(Errno.ENOENT, 5, "no such entry"), parsed);
        }
    }

    [Fact]
    public void NetAddress_round_trips_and_compares_by_value()
    {
        var v4 = NetAddress.Parse("198.18.0.1");
        var v6 = NetAddress.Parse("fd00::198:18:0:1");
        Assert.Equal("198.18.0.1", v4.ToString());
        Assert.Equal("fd00::198:18:0:1", v6.ToString());
        Assert.Equal(v4, NetAddress.FromBytes([198, 18, 0, 1]));
        Assert.NotEqual(NetAddress.Parse("::c612:1"), v4);
        Assert.False(v4.IsIPv6);
        Assert.True(v6.IsIPv6);
        Assert.Equal(v4.GetHashCode(), NetAddress.Parse("198.18.0.1").GetHashCode());
    }
}
