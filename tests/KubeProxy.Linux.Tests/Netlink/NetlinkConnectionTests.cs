using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Tests.Netlink;

public class NetlinkConnectionTests
{
    private static NetlinkMessageBuilder Batch(int count)
    {
        var builder = new NetlinkMessageBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.BeginMessage(0x0102, NetlinkMessageFlags.Request);
            builder.PutHeader([2, 0, 0, 0]);
            builder.PutU32(1, (uint)i);
            builder.EndMessage();
        }
        return builder;
    }

    private static uint ValueOf(FakeNetlinkRequest request)
    {
        foreach (var attribute in request.Attributes(4)) return attribute.GetU32();
        throw new InvalidOperationException("no attribute");
    }

    [Fact]
    public void A_batch_goes_out_in_one_datagram_with_an_ack_on_the_last_message_only()
    {
        FakeNetlinkTransport? fake = null;
        fake = new FakeNetlinkTransport(r => (r.Flags & NetlinkMessageFlags.Ack) != 0 ? [fake!.Ack(r)] : []);
        using var connection = new NetlinkConnection(fake);
        using var batch = Batch(5);

        var failures = connection.Transact(batch);

        Assert.Equal(0, failures);
        Assert.Single(fake.SentDatagrams);
        Assert.Equal(5, fake.Requests.Count);
        Assert.Equal([false, false, false, false, true], fake.Requests.Select(r => (r.Flags & NetlinkMessageFlags.Ack) != 0));
        var sequences = fake.Requests.Select(r => r.Sequence).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => sequences[0] + (uint)i), sequences);
    }

    [Fact]
    public void Each_failure_is_reported_with_its_index_and_errno_and_the_final_ack_settles_the_batch()
    {
        FakeNetlinkTransport? fake = null;
        fake = new FakeNetlinkTransport(r =>
        {
            var value = ValueOf(r);
            if (value == 1) return [fake!.Ack(r, Errno.ENOENT)];
            if (value == 3) return [fake!.Ack(r, Errno.EINVAL, "bad tuple")];
            return (r.Flags & NetlinkMessageFlags.Ack) != 0 ? [fake!.Ack(r)] : [];
        });
        using var connection = new NetlinkConnection(fake);
        using var batch = Batch(5);
        var errors = new List<(int, int, string?)>();

        var failures = connection.Transact(batch, onError: (i, errno, text) => errors.Add((i, errno, text)));

        Assert.Equal(2, failures);
        Assert.Equal([(1, Errno.ENOENT, null), (3, Errno.EINVAL, "bad tuple")], errors);
    }

    [Fact]
    public void Without_an_error_handler_the_first_failure_throws_with_the_errno_name()
    {
        FakeNetlinkTransport? fake = null;
        fake = new FakeNetlinkTransport(r => ValueOf(r) == 0 ? [fake!.Ack(r, Errno.EPERM)] : [fake!.Ack(r)]);
        using var connection = new NetlinkConnection(fake);
        using var batch = Batch(2);

        var e = Assert.Throws<NetlinkException>(() => connection.Transact(batch));

        Assert.Equal(Errno.EPERM, e.Errno);
        Assert.Equal("EPERM", e.ErrnoName);
        Assert.Contains("EPERM", e.Message);
        Assert.False(connection.IsFaulted);
    }

    [Fact]
    public void Replies_from_an_earlier_exchange_are_ignored()
    {
        FakeNetlinkTransport? fake = null;
        fake = new FakeNetlinkTransport(r => [fake!.Ack(r with { Sequence = r.Sequence - 100 }, Errno.EBUSY), fake!.Ack(r)]);
        using var connection = new NetlinkConnection(fake);
        using var batch = Batch(1);

        Assert.Equal(0, connection.Transact(batch));
    }

    [Fact]
    public void A_dump_streams_every_message_across_datagrams_until_done()
    {
        FakeNetlinkTransport? fake = null;
        fake = new FakeNetlinkTransport(r =>
        {
            Assert.Equal(NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump, r.Flags);
            var replies = new List<byte[]>();
            for (var d = 0; d < 3; d++)
            {
                replies.Add(FakeNetlinkTransport.Concat(Enumerable.Range(0, 10).Select(i =>
                    fake!.Reply(r, 0x0100, NetlinkMessageFlags.Multi, b => b.PutU32(1, (uint)(d * 10 + i))))));
            }
            replies.Add(fake!.Done(r));
            return replies;
        });
        using var connection = new NetlinkConnection(fake);
        using var request = new NetlinkMessageBuilder();
        request.BeginMessage(0x0101, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump);
        request.EndMessage();
        var values = new List<uint>();

        var result = connection.Dump(request, (in NetlinkMessage m) =>
        {
            foreach (var a in m.Attributes(0)) values.Add(a.GetU32());
        });

        Assert.Equal(30, result.Messages);
        Assert.False(result.Interrupted);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (uint)i), values);
    }

    [Fact]
    public void A_dump_refused_by_the_kernel_throws_and_a_failed_done_status_too()
    {
        FakeNetlinkTransport? fake = null;
        var calls = 0;
        fake = new FakeNetlinkTransport(r => calls++ == 0 ? [fake!.Ack(r, Errno.EOPNOTSUPP)] : [fake!.Done(r, -Errno.ENOMEM)]);
        using var connection = new NetlinkConnection(fake);
        using var request = new NetlinkMessageBuilder();
        request.BeginMessage(0x0101, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump);
        request.EndMessage();

        Assert.Equal(Errno.EOPNOTSUPP, Assert.Throws<NetlinkException>(() => connection.Dump(request, (in NetlinkMessage _) => { })).Errno);
        Assert.Equal(Errno.ENOMEM, Assert.Throws<NetlinkException>(() => connection.Dump(request, (in NetlinkMessage _) => { })).Errno);
    }

    [Fact]
    public void A_throwing_dump_handler_drains_the_dump_then_rethrows()
    {
        FakeNetlinkTransport? fake = null;
        fake = new FakeNetlinkTransport(r =>
        [
            fake!.Reply(r, 0x0100, NetlinkMessageFlags.Multi, b => b.PutU32(1, 1)),
            fake!.Reply(r, 0x0100, NetlinkMessageFlags.Multi, b => b.PutU32(1, 2)),
            fake!.Done(r),
        ]);
        using var connection = new NetlinkConnection(fake);
        using var request = new NetlinkMessageBuilder();
        request.BeginMessage(0x0101, NetlinkMessageFlags.Request | NetlinkMessageFlags.Dump);
        request.EndMessage();
        var handled = 0;

        Assert.Throws<FormatException>(() => connection.Dump(request, (in NetlinkMessage _) =>
        {
            handled++;
            throw new FormatException("boom");
        }));

        Assert.Equal(1, handled);
        Assert.False(connection.IsFaulted);
        // Everything of the first dump was consumed: the next one sees only its own replies.
        Assert.Equal(2, connection.Dump(request, (in NetlinkMessage _) => { }).Messages);
    }

    [Fact]
    public void A_receive_failure_faults_the_connection()
    {
        var fake = new FakeNetlinkTransport(_ => []);
        using var connection = new NetlinkConnection(fake);
        using var batch = Batch(1);

        Assert.Equal(Errno.EAGAIN, Assert.Throws<NetlinkException>(() => connection.Transact(batch)).Errno);
        Assert.True(connection.IsFaulted);
        Assert.Throws<InvalidOperationException>(() => connection.Transact(batch));
    }
}
