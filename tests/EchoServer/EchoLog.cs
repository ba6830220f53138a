using System.Net;
using Microsoft.Extensions.Logging;

namespace EchoServer;

internal static partial class EchoLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Transport} answered: {Reply}")]
    public static partial void Answered(ILogger logger, EchoTransport transport, EchoReply reply);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Transport} exchange with {Peer} failed")]
    public static partial void ExchangeFailed(ILogger logger, EchoTransport transport, EndPoint? peer, Exception error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "udp receive error")]
    public static partial void ReceiveFailed(ILogger logger, Exception error);
}
