namespace EchoServer;

/// <summary>One <c>--listen</c> argument: a transport and a port, e.g. <c>tcp:8080</c>.</summary>
public readonly record struct ListenSpec(EchoTransport Transport, int Port)
{
    public static ListenSpec Parse(string text)
    {
        if (!TryParse(text, out var spec))
        {
            throw new FormatException($"'{text}' is not a listen spec: expected tcp:PORT, udp:PORT or sctp:PORT");
        }

        return spec;
    }

    public static bool TryParse(string? text, out ListenSpec spec)
    {
        spec = default;
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0)
        {
            return false;
        }

        if (!EchoTransportExtensions.TryParse(text[..colon], out var transport)
            || !int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, null, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        spec = new ListenSpec(transport, port);
        return true;
    }

    public override string ToString() => $"{Transport.Lower()}:{Port}";
}
