using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>Decodes an NLMSG_ERROR payload: errno (0 = ACK), the request's header, optional extended-ACK text.</summary>
public readonly record struct NetlinkError(int Errno, uint RequestSequence, string? KernelMessage)
{
    public static NetlinkError Parse(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < 4 + NetlinkLayout.MessageHeaderSize)
            throw new InvalidDataException($"NLMSG_ERROR payload of {payload.Length} bytes");
        var errno = -MemoryMarshal.Read<int>(payload);
        var requestLength = MemoryMarshal.Read<uint>(payload[4..]);
        var requestSequence = MemoryMarshal.Read<uint>(payload[12..]);
        string? text = null;
        if ((message.Flags & NetlinkMessageFlags.AckTlvs) != 0)
        {
            // Without NLM_F_CAPPED the whole request is echoed before the TLVs.
            var echoed = (message.Flags & NetlinkMessageFlags.Capped) != 0 ? NetlinkLayout.MessageHeaderSize : NetlinkLayout.Align((int)requestLength);
            var start = 4 + echoed;
            if (start <= payload.Length)
            {
                foreach (var attribute in new NetlinkAttributeReader(payload[start..]))
                {
                    if (attribute.Type == NetlinkLayout.ErrorAttributeMessage) text = attribute.GetString();
                }
            }
        }
        return new NetlinkError(errno, requestSequence, text);
    }
}
