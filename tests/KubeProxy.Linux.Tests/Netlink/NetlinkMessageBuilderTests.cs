using KubeProxy.Linux.Netlink;
using KubeProxy.Linux.Tests.Support;

namespace KubeProxy.Linux.Tests.Netlink;

public class NetlinkMessageBuilderTests
{
    [Fact]
    public void Writes_header_family_header_nested_and_padded_attributes_byte_exact()
    {
        using var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(0x0102, NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack);
        builder.PutHeader([2, 0, 0, 0]);
        var nest = builder.BeginNested(1);
        builder.PutU8(1, 17);
        builder.PutU16BigEndian(2, 0x1234);
        builder.EndNested(nest);
        builder.PutString(3, "ab");
        builder.EndMessage();

        var expected = Bytes.Hex("""
            30000000 0201 0500 00000000 00000000
            02000000
            14000180 | 05000100 11000000 | 06000200 12340000
            07000300 61620000
            """);
        Assert.Equal(expected, builder.WrittenSpan.ToArray());
        Assert.Equal(1, builder.MessageCount);
    }

    [Fact]
    public void Integers_are_host_order_unless_big_endian_is_asked_for()
    {
        using var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(0x10, NetlinkMessageFlags.Request);
        builder.PutU32(1, 0x01020304);
        builder.PutU32BigEndian(2, 0x01020304);
        builder.PutU64(3, 0x0102030405060708);
        builder.PutFlag(4);
        builder.PutAddress(5, NetAddress.Parse("198.18.0.1"));
        builder.PutAddress(6, NetAddress.Parse("fd00::1"));
        builder.EndMessage();

        var body = builder.WrittenSpan[16..].ToArray();
        var expected = Bytes.Hex("""
            08000100 04030201
            08000200 01020304
            0c000300 0807060504030201
            04000400
            08000500 c6120001
            14000600 fd000000000000000000000000000001
            """);
        Assert.Equal(expected, body);
    }

    [Fact]
    public void Batches_several_messages_and_flags_the_last()
    {
        using var builder = new NetlinkMessageBuilder(64);
        for (var i = 0; i < 100; i++)
        {
            builder.BeginMessage(0x10, NetlinkMessageFlags.Request);
            builder.PutU32(1, (uint)i);
            builder.EndMessage();
        }
        builder.AddFlagsToLastMessage(NetlinkMessageFlags.Ack);

        var seen = 0;
        foreach (var message in new NetlinkMessageReader(builder.WrittenSpan))
        {
            Assert.Equal(seen == 99 ? NetlinkMessageFlags.Request | NetlinkMessageFlags.Ack : NetlinkMessageFlags.Request, message.Flags);
            foreach (var attribute in message.Attributes(0)) Assert.Equal((uint)seen, attribute.GetU32());
            seen++;
        }
        Assert.Equal(100, seen);
        Assert.Equal(100 * 24, builder.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Grows_past_the_pooled_size_into_native_memory_keeping_every_message(bool pooled)
    {
        // 64 bytes to start, 3 MB in the end: pooled arrays first (unless not pooled), then native buffers (above
        // 1 MB), each growth copying what was written; a nested attribute open across a growth is closed in the new
        // buffer.
        var builder = new NetlinkMessageBuilder(64, pooled);
        const int Messages = 40_000;
        for (var i = 0; i < Messages; i++)
        {
            builder.BeginMessage(0x10, NetlinkMessageFlags.Request);
            var nest = builder.BeginNested(2);
            builder.PutU32(1, (uint)i);
            builder.PutBytes(3, new byte[60]);
            builder.EndNested(nest);
            builder.EndMessage();
        }
        Assert.True(builder.Length > 2 * 1024 * 1024);

        var seen = 0;
        foreach (var message in new NetlinkMessageReader(builder.WrittenSpan))
        {
            foreach (var nested in message.Attributes(0))
            {
                var index = 0;
                foreach (var inner in nested.Nested)
                {
                    if (index++ == 0) Assert.Equal((uint)seen, inner.GetU32());
                    else Assert.Equal(60, inner.Payload.Length);
                }
                Assert.Equal(2, index);
            }
            seen++;
        }
        Assert.Equal(Messages, seen);
        builder.Dispose();
        builder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => builder.BeginMessage(0x10, NetlinkMessageFlags.Request));
    }

    [Fact]
    public void Reset_reuses_the_buffer_and_misuse_is_refused()
    {
        using var builder = new NetlinkMessageBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.PutU8(1, 1));
        builder.BeginMessage(0x10, NetlinkMessageFlags.Request);
        Assert.Throws<InvalidOperationException>(() => builder.BeginMessage(0x10, NetlinkMessageFlags.Request));
        Assert.Throws<InvalidOperationException>(() => builder.WrittenSpan.ToArray());
        builder.EndMessage();
        builder.Reset();
        Assert.Equal(0, builder.Length);
        Assert.Equal(0, builder.MessageCount);
    }
}
