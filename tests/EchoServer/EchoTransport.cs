namespace EchoServer;

/// <summary>The transports the echo server answers on.</summary>
public enum EchoTransport
{
    Tcp,
    Udp,
    Sctp,
}

public static class EchoTransportExtensions
{
    /// <summary>Lower-case name, as used in <c>--listen tcp:8080</c> and in reply lines.</summary>
    public static string Lower(this EchoTransport transport) => transport switch
    {
        EchoTransport.Tcp => "tcp",
        EchoTransport.Udp => "udp",
        EchoTransport.Sctp => "sctp",
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };

    public static bool TryParse(string? value, out EchoTransport transport)
    {
        switch (value?.ToLowerInvariant())
        {
            case "tcp": transport = EchoTransport.Tcp; return true;
            case "udp": transport = EchoTransport.Udp; return true;
            case "sctp": transport = EchoTransport.Sctp; return true;
            default: transport = EchoTransport.Tcp; return false;
        }
    }
}
