namespace KubeProxy.ApiServer.Faults;

/// <summary>The ways the fake server can misbehave, each one a failure a real API server (or the network) produces.</summary>
public enum FaultKind
{
    /// <summary>Answer with <see cref="Fault.StatusCode"/> (429, 500, 503, ...) and a Status object.</summary>
    Status,

    /// <summary>410 Gone: a list answers HTTP 410 Expired; a watch answers 200 then an ERROR event with a 410 Status.</summary>
    Gone,

    /// <summary>Accept the connection and never send a byte.</summary>
    Hang,

    /// <summary>Send 200 and the headers, then never another byte.</summary>
    HangAfterHeaders,

    /// <summary>Close the connection as soon as the request arrives.</summary>
    CloseOnConnect,

    /// <summary>Abort the connection after <see cref="Fault.AfterEvents"/> watch events (or mid-body for a list).</summary>
    Drop,

    /// <summary>End the watch cleanly (as a server-side timeout does) after <see cref="Fault.AfterEvents"/> events.</summary>
    EndWatch,
}
