using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// Request/reply on one netlink transport: stamps sequence numbers, sends a whole batch in one datagram, matches
/// ACKs and errors to requests, and streams multipart dumps through one pooled receive buffer parsed in place.
/// Not thread-safe: one caller at a time (a dump handler may use a different connection meanwhile).
/// </summary>
public sealed class NetlinkConnection : IDisposable
{
    public const int DefaultReceiveBufferSize = 64 * 1024;

    private readonly INetlinkTransport _transport;
    private byte[] _receiveBuffer;
    private uint _nextSequence;

    public NetlinkConnection(INetlinkTransport transport, int receiveBufferSize = DefaultReceiveBufferSize)
    {
        _transport = transport;
        // The kernel caps dump datagrams near 32 KiB; 64 KiB leaves room for any single reply.
        _receiveBuffer = ArrayPool<byte>.Shared.Rent(Math.Max(receiveBufferSize, 16 * 1024));
        _nextSequence = (uint)Random.Shared.Next(1, int.MaxValue);
    }

    public static NetlinkConnection Open(NetlinkProtocol protocol, NetlinkSocketOptions? options = null) =>
        new(NetlinkSocket.Open(protocol, options));

    /// <summary>Set when a receive failed or a dump could not be drained: the socket's state is unknown, reopen.</summary>
    public bool IsFaulted { get; private set; }

    public uint PortId => _transport.PortId;

    /// <summary>
    /// Sends every message of <paramref name="batch"/> in one datagram, with NLM_F_ACK on the last only: the kernel
    /// handles them in order and reports each failure, so the last ACK means everything before it is settled.
    /// Replies that are not ACKs go to <paramref name="onReply"/>. Failures go to <paramref name="onError"/>; without
    /// one, the first failure is thrown once the batch is settled. Returns the number of failed requests.
    /// </summary>
    public int Transact(NetlinkMessageBuilder batch, NetlinkMessageHandler? onReply = null, NetlinkErrorHandler? onError = null)
    {
        ThrowIfFaulted();
        if (batch.MessageCount == 0) return 0;
        batch.AddFlagsToLastMessage(NetlinkMessageFlags.Ack);
        return TransactCore(batch, batch.MessageCount - 1, onReply, onError);
    }

    /// <summary>
    /// For framed transactions (nfnetlink's BATCH_BEGIN ... BATCH_END), where the framing messages are never
    /// acknowledged: the caller has set NLM_F_ACK itself, and the reply to message <paramref name="settlingIndex"/>
    /// (the last real command) settles the batch. The kernel sends all replies of a batch, in order, once the batch
    /// has been committed or aborted.
    /// </summary>
    public int TransactFramed(NetlinkMessageBuilder batch, int settlingIndex, NetlinkErrorHandler? onError = null)
    {
        ThrowIfFaulted();
        if (settlingIndex < 0 || settlingIndex >= batch.MessageCount) throw new ArgumentOutOfRangeException(nameof(settlingIndex));
        return TransactCore(batch, settlingIndex, null, onError);
    }

    private int TransactCore(NetlinkMessageBuilder batch, int settlingIndex, NetlinkMessageHandler? onReply, NetlinkErrorHandler? onError)
    {
        var first = Stamp(batch);
        var last = first + (uint)settlingIndex;
        _transport.Send(batch.WrittenSpan);
        // The span may be native memory the builder frees when finalized: keep the builder alive through the send.
        GC.KeepAlive(batch);

        var failures = 0;
        NetlinkException? firstError = null;
        ExceptionDispatchInfo? handlerError = null;
        var settled = false;
        while (!settled)
        {
            var received = ReceiveDatagram();
            foreach (var message in new NetlinkMessageReader(received))
            {
                if (!IsOurs(message, first, last)) continue;
                if (message.Type == NetlinkMessageType.Error)
                {
                    var error = NetlinkError.Parse(message);
                    if (error.Errno != 0)
                    {
                        failures++;
                        var index = (int)(message.Sequence - first);
                        if (onError is not null && handlerError is null)
                        {
                            try
                            {
                                onError(index, error.Errno, error.KernelMessage);
                            }
                            catch (Exception e)
                            {
                                handlerError = ExceptionDispatchInfo.Capture(e);
                            }
                        }
                        else
                        {
                            firstError ??= new NetlinkException($"netlink request {index + 1} of {batch.MessageCount}", error.Errno, error.KernelMessage);
                        }
                    }
                    if (message.Sequence == last) settled = true;
                    continue;
                }
                if (message.Type is NetlinkMessageType.Noop or NetlinkMessageType.Done || onReply is null || handlerError is not null) continue;
                try
                {
                    onReply(in message);
                }
                catch (Exception e)
                {
                    handlerError = ExceptionDispatchInfo.Capture(e);
                }
            }
        }
        handlerError?.Throw();
        if (firstError is not null) throw firstError;
        return failures;
    }

    /// <summary>
    /// Sends one dump request (the caller sets NLM_F_DUMP) and passes every reply to <paramref name="onMessage"/>
    /// until NLMSG_DONE. Memory stays one receive buffer whatever the dump's size. If the handler throws, the rest
    /// of the dump is read and discarded (the kernel allows one dump per socket at a time) and the error rethrown.
    /// </summary>
    public NetlinkDumpResult Dump(NetlinkMessageBuilder request, NetlinkMessageHandler onMessage)
    {
        ThrowIfFaulted();
        if (request.MessageCount != 1) throw new ArgumentException("a dump is exactly one request message", nameof(request));
        var sequence = Stamp(request);
        _transport.Send(request.WrittenSpan);
        GC.KeepAlive(request);

        long messages = 0;
        var interrupted = false;
        ExceptionDispatchInfo? handlerError = null;
        while (true)
        {
            var received = ReceiveDatagram();
            foreach (var message in new NetlinkMessageReader(received))
            {
                if (!IsOurs(message, sequence, sequence)) continue;
                switch (message.Type)
                {
                    case NetlinkMessageType.Error:
                        {
                            var error = NetlinkError.Parse(message);
                            if (error.Errno == 0) break;
                            handlerError?.Throw();
                            throw new NetlinkException("netlink dump", error.Errno, error.KernelMessage);
                        }
                    case NetlinkMessageType.Done:
                        {
                            handlerError?.Throw();
                            // NLMSG_DONE carries the dump's final status; negative means it failed part way.
                            var status = message.Payload.Length >= 4 ? MemoryMarshal.Read<int>(message.Payload) : 0;
                            if (status < 0) throw new NetlinkException("netlink dump", -status);
                            return new NetlinkDumpResult(messages, interrupted);
                        }
                    case NetlinkMessageType.Noop:
                    case NetlinkMessageType.Overrun:
                        break;
                    default:
                        if ((message.Flags & NetlinkMessageFlags.DumpInterrupted) != 0) interrupted = true;
                        if (handlerError is not null) break;
                        messages++;
                        try
                        {
                            onMessage(in message);
                        }
                        catch (Exception e)
                        {
                            handlerError = ExceptionDispatchInfo.Capture(e);
                        }
                        break;
                }
            }
        }
    }

    public void Dispose()
    {
        _transport.Dispose();
        var buffer = _receiveBuffer;
        _receiveBuffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }

    private ReadOnlySpan<byte> ReceiveDatagram()
    {
        try
        {
            var n = _transport.Receive(_receiveBuffer);
            return _receiveBuffer.AsSpan(0, n);
        }
        catch
        {
            IsFaulted = true;
            throw;
        }
    }

    private bool IsOurs(in NetlinkMessage message, uint first, uint last) =>
        (message.PortId == _transport.PortId || message.PortId == 0) && message.Sequence - first <= last - first;

    /// <summary>Gives each message of the batch the next sequence number; returns the first.</summary>
    private uint Stamp(NetlinkMessageBuilder batch)
    {
        var first = _nextSequence;
        var span = batch.WrittenMutable;
        var offset = 0;
        while (offset + NetlinkLayout.MessageHeaderSize <= span.Length)
        {
            var length = MemoryMarshal.Read<uint>(span[offset..]);
            MemoryMarshal.Write(span[(offset + 8)..], _nextSequence++);
            MemoryMarshal.Write(span[(offset + 12)..], 0u);
            offset += NetlinkLayout.Align((int)length);
        }
        if (_nextSequence == 0) _nextSequence = 1;
        return first;
    }

    private void ThrowIfFaulted()
    {
        if (IsFaulted) throw new InvalidOperationException("netlink connection is faulted after a failed receive; open a new one");
        ObjectDisposedException.ThrowIf(_receiveBuffer.Length == 0, this);
    }
}
