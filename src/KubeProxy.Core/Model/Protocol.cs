namespace KubeProxy.Core.Model;

/// <summary>The L4 protocols a Service port may use.</summary>
public enum Protocol
{
    TCP,
    UDP,
    SCTP,
}

public static class ProtocolExtensions
{
    /// <summary>Lower-case name as nftables and iptables spell it.</summary>
    public static string Lower(this Protocol protocol) => protocol switch
    {
        Protocol.TCP => "tcp",
        Protocol.UDP => "udp",
        Protocol.SCTP => "sctp",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static bool TryParse(string? value, out Protocol protocol)
    {
        // The API server accepts exactly "TCP", "UDP" and "SCTP"; an absent protocol defaults to TCP.
        switch (value)
        {
            case null or "" or "TCP": protocol = Protocol.TCP; return true;
            case "UDP": protocol = Protocol.UDP; return true;
            case "SCTP": protocol = Protocol.SCTP; return true;
            default: protocol = Protocol.TCP; return false;
        }
    }
}
