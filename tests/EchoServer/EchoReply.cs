using System.Net;

namespace EchoServer;

/// <summary>
/// The one line an echo server answers with: who answered, the address it was reached on and the peer it saw,
/// e.g. <c>name=web-1 local=198.18.64.11:8080 peer=198.18.0.10:41234</c>. Probes parse it to tell which endpoint
/// answered and whether the source was masqueraded.
/// </summary>
public sealed record EchoReply(string Name, IPEndPoint Local, IPEndPoint Peer)
{
    public string Format() => $"name={Name} local={Local} peer={Peer}";

    public override string ToString() => Format();

    public static bool TryParse(string? line, out EchoReply? reply)
    {
        reply = null;
        if (line is null)
        {
            return false;
        }

        string? name = null;
        IPEndPoint? local = null, peer = null;
        foreach (var field in line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=');
            if (eq <= 0)
            {
                return false;
            }

            var value = field[(eq + 1)..];
            switch (field[..eq])
            {
                case "name": name = value; break;
                case "local" when IPEndPoint.TryParse(value, out var l): local = l; break;
                case "peer" when IPEndPoint.TryParse(value, out var p): peer = p; break;
                default: return false;
            }
        }

        if (name is null || local is null || peer is null)
        {
            return false;
        }

        reply = new EchoReply(name, local, peer);
        return true;
    }

    /// <summary>
    /// Dual-mode sockets report IPv4 peers as <c>::ffff:a.b.c.d</c>; replies always show the plain IPv4 form so a
    /// probe can compare them with its own address.
    /// </summary>
    public static IPEndPoint Normalize(EndPoint? endPoint)
    {
        if (endPoint is not IPEndPoint ip)
        {
            throw new ArgumentException($"not an IP endpoint: {endPoint}", nameof(endPoint));
        }

        return ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : ip;
    }

    public static IPAddress Normalize(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
