using KubeProxy.Core.Model;
using KubeProxy.Linux.Conntrack;
using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Tests.Conntrack;

public class ConntrackClientTests
{
    /// <summary>A fake kernel holding a list of entries: answers dumps with them and deletes by original tuple.</summary>
    private sealed class FakeKernel
    {
        public List<ConntrackEntry> Table { get; } = [];

        public int Transports { get; private set; }

        public int FailNextReceives { get; set; }

        public FakeNetlinkTransport Open()
        {
            Transports++;
            FakeNetlinkTransport? fake = null;
            fake = new FakeNetlinkTransport(r => Respond(fake!, r));
            return fake;
        }

        private IEnumerable<byte[]> Respond(FakeNetlinkTransport fake, FakeNetlinkRequest request)
        {
            if (FailNextReceives > 0)
            {
                FailNextReceives--;
                return [];
            }
            switch (request.Type & 0xff)
            {
                case 1:
                    {
                        var replies = Table.Select(e => fake.Reply(request, 0x0100, NetlinkMessageFlags.Multi, b =>
                        {
                            // Re-encode the entry as the kernel would, via the create encoder's attributes.
                            using var tmp = new NetlinkMessageBuilder();
                            ConntrackMessages.WriteCreate(tmp, e, 30);
                            b.PutHeader(tmp.WrittenSpan[16..]);
                        })).ToList();
                        // Chunks of 100 entries per datagram, as a real dump arrives (the kernel fills ~32 KiB each).
                        return [.. replies.Chunk(100).Select(FakeNetlinkTransport.Concat), fake.Done(request)];
                    }
                case 2:
                    {
                        var index = -1;
                        foreach (var attribute in request.Attributes(4))
                        {
                            if (attribute.Type == 1 && ConntrackMessages.TryParseTuple(attribute.Payload, out var original, out _))
                                index = Table.FindIndex(e => e.Original == original);
                        }
                        if (index >= 0) Table.RemoveAt(index);
                        var errno = index >= 0 ? 0 : Errno.ENOENT;
                        return errno != 0 || (request.Flags & NetlinkMessageFlags.Ack) != 0 ? [fake.Ack(request, errno)] : [];
                    }
                default:
                    return [fake.Ack(request, Errno.EOPNOTSUPP)];
            }
        }
    }

    [Fact]
    public void Dump_visits_every_entry_and_delete_counts_only_what_was_there()
    {
        var kernel = new FakeKernel();
        for (ushort i = 1; i <= 1000; i++) kernel.Table.Add(ConntrackMessagesTests.Udp("198.18.0.1", i, "198.19.0.10", 53, "198.18.64.5", 5353));
        using var client = new ConntrackClient(kernel.Open);

        var seen = new List<ConntrackEntry>();
        var visited = client.Dump(IPFamily.IPv4, IPProtocolNumber.Udp, (in ConntrackEntry e) => seen.Add(e));
        Assert.Equal(1000, visited);
        Assert.Equal(kernel.Table.Select(e => (e.Protocol, e.Original, e.Reply)), seen.Select(e => (e.Protocol, e.Original, e.Reply)));
        Assert.All(seen, e => Assert.Equal(30u, e.TimeoutSeconds));

        var toDelete = seen.Where(e => e.Original.SourcePort % 2 == 0).ToArray();
        kernel.Table.RemoveAt(kernel.Table.FindIndex(e => e.Original == toDelete[0].Original)); // already gone
        var deleted = client.Delete(toDelete);

        Assert.Equal(499, deleted);
        Assert.Equal(500, kernel.Table.Count);
        Assert.All(kernel.Table, e => Assert.Equal(1, e.Original.SourcePort % 2));
    }

    [Fact]
    public void A_visitor_may_delete_while_the_dump_runs()
    {
        var kernel = new FakeKernel();
        for (ushort i = 1; i <= 10; i++) kernel.Table.Add(ConntrackMessagesTests.Udp("198.18.0.1", i, "198.19.0.10", 53, "198.18.64.5", 5353));
        using var client = new ConntrackClient(kernel.Open);

        var deleted = 0;
        client.Dump(IPFamily.IPv4, IPProtocolNumber.Udp, (in ConntrackEntry e) => deleted += client.Delete([e]));

        Assert.Equal(10, deleted);
        Assert.Empty(kernel.Table);
        Assert.Equal(2, kernel.Transports); // one socket for the dump, one for requests
    }

    [Fact]
    public void A_faulted_socket_is_replaced_on_the_next_call()
    {
        var kernel = new FakeKernel { FailNextReceives = 1 };
        kernel.Table.Add(ConntrackMessagesTests.Udp("198.18.0.1", 1, "198.19.0.10", 53, "198.18.64.5", 5353));
        using var client = new ConntrackClient(kernel.Open);

        Assert.Throws<NetlinkException>(() => client.Dump(IPFamily.IPv4, 0, (in ConntrackEntry _) => { }));
        Assert.Equal(1, client.Dump(IPFamily.IPv4, 0, (in ConntrackEntry _) => { }));
        Assert.Equal(2, kernel.Transports);
    }
}
