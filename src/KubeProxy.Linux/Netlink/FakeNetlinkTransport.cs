using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// A scripted kernel for unit tests: every message sent is recorded and handed to a responder, whose reply
/// datagrams are queued for <see cref="Receive"/>. Helpers build ACKs, errors, DONE and family replies with the
/// request's sequence number, so tests read like the exchange they check.
/// </summary>
public sealed class FakeNetlinkTransport : INetlinkTransport
{
    private readonly Func<FakeNetlinkRequest, IEnumerable<byte[]>> _responder;
    private readonly Queue<byte[]> _pending = new();

    public FakeNetlinkTransport(Func<FakeNetlinkRequest, IEnumerable<byte[]>> responder)
    {
        _responder = responder;
    }

    public uint PortId { get; init; } = 4242;

    /// <summary>Every datagram sent, as sent.</summary>
    public List<byte[]> SentDatagrams { get; } = [];

    /// <summary>Every message sent, split out of its datagram.</summary>
    public List<FakeNetlinkRequest> Requests { get; } = [];

    public bool Disposed { get; private set; }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        SentDatagrams.Add(datagram.ToArray());
        var requests = new List<FakeNetlinkRequest>();
        foreach (var message in new NetlinkMessageReader(datagram))
        {
            requests.Add(new FakeNetlinkRequest(message.Type, message.Flags, message.Sequence, message.Payload.ToArray()));
        }
        foreach (var request in requests)
        {
            Requests.Add(request);
            foreach (var reply in _responder(request)) _pending.Enqueue(reply);
        }
    }

    public int Receive(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        // A real socket would block until its timeout; the fake fails at once so a test cannot hang.
        if (!_pending.TryDequeue(out var datagram)) throw new NetlinkException("netlink receive timed out", Errno.EAGAIN);
        if (datagram.Length > buffer.Length) throw new InvalidDataException($"netlink datagram of {datagram.Length} bytes truncated to {buffer.Length}");
        datagram.CopyTo(buffer);
        return datagram.Length;
    }

    /// <summary>Queues an unsolicited datagram (an event, or a stale reply to ignore).</summary>
    public void Inject(byte[] datagram) => _pending.Enqueue(datagram);

    public void Dispose() => Disposed = true;

    /// <summary>NLMSG_ERROR with errno 0 (or the given errno) for <paramref name="request"/>, capped as with NETLINK_CAP_ACK.</summary>
    public byte[] Ack(FakeNetlinkRequest request, int errno = 0, string? kernelMessage = null)
    {
        using var builder = new NetlinkMessageBuilder();
        var flags = NetlinkMessageFlags.Capped | (kernelMessage is null ? NetlinkMessageFlags.None : NetlinkMessageFlags.AckTlvs);
        builder.BeginMessage(NetlinkMessageType.Error, flags);
        Span<byte> body = stackalloc byte[4 + NetlinkLayout.MessageHeaderSize];
        MemoryMarshal.Write(body, -errno);
        MemoryMarshal.Write(body[4..], (uint)(NetlinkLayout.MessageHeaderSize + request.Payload.Length));
        MemoryMarshal.Write(body[8..], request.Type);
        MemoryMarshal.Write(body[10..], (ushort)request.Flags);
        MemoryMarshal.Write(body[12..], request.Sequence);
        MemoryMarshal.Write(body[16..], PortId);
        builder.PutHeader(body);
        if (kernelMessage is not null) builder.PutString(NetlinkLayout.ErrorAttributeMessage, kernelMessage);
        builder.EndMessage();
        return Stamped(builder, request.Sequence);
    }

    public byte[] Done(FakeNetlinkRequest request, int status = 0)
    {
        using var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(NetlinkMessageType.Done, NetlinkMessageFlags.Multi);
        Span<byte> body = stackalloc byte[4];
        MemoryMarshal.Write(body, status);
        builder.PutHeader(body);
        builder.EndMessage();
        return Stamped(builder, request.Sequence);
    }

    /// <summary>A reply of <paramref name="type"/> whose body <paramref name="write"/> fills (family header, attributes).</summary>
    public byte[] Reply(FakeNetlinkRequest request, ushort type, NetlinkMessageFlags flags, Action<NetlinkMessageBuilder> write)
    {
        using var builder = new NetlinkMessageBuilder();
        builder.BeginMessage(type, flags);
        write(builder);
        builder.EndMessage();
        return Stamped(builder, request.Sequence);
    }

    /// <summary>Several messages in one datagram, as the kernel packs a dump.</summary>
    public static byte[] Concat(params IEnumerable<byte[]> messages) => [.. messages.SelectMany(m => m)];

    private byte[] Stamped(NetlinkMessageBuilder builder, uint sequence)
    {
        var bytes = builder.WrittenSpan.ToArray();
        MemoryMarshal.Write(bytes.AsSpan(8), sequence);
        MemoryMarshal.Write(bytes.AsSpan(12), PortId);
        return bytes;
    }
}

/// <summary>One message the code under test sent to the fake.</summary>
public sealed record FakeNetlinkRequest(ushort Type, NetlinkMessageFlags Flags, uint Sequence, byte[] Payload)
{
    public NetlinkAttributeReader Attributes(int familyHeaderSize) =>
        new(Payload.AsSpan(NetlinkLayout.Align(familyHeaderSize)));
}
