namespace KubeProxy.ApiServer.Faults;

/// <summary>
/// A fault to inject into matching requests. <see cref="Resource"/> null matches every resource; <see cref="Verb"/> null
/// matches list and watch. <see cref="Times"/> is how many requests it hits; zero or less means until removed.
/// </summary>
public sealed record Fault(FaultKind Kind)
{
    public string? Resource { get; init; }

    public ApiVerb? Verb { get; init; }

    public int StatusCode { get; init; }

    public int Times { get; init; } = 1;

    public int AfterEvents { get; init; }

    /// <summary>Hit only list requests that carry a continue token (to fail a list between pages).</summary>
    public bool OnlyContinued { get; init; }

    public static Fault Status(int statusCode) => new(FaultKind.Status) { StatusCode = statusCode };

    public static Fault Gone() => new(FaultKind.Gone);

    public static Fault Hang() => new(FaultKind.Hang);

    public static Fault HangAfterHeaders() => new(FaultKind.HangAfterHeaders);

    public static Fault CloseOnConnect() => new(FaultKind.CloseOnConnect);

    public static Fault Drop(int afterEvents = 0) => new(FaultKind.Drop) { AfterEvents = afterEvents };

    public static Fault EndWatch(int afterEvents = 0) => new(FaultKind.EndWatch) { AfterEvents = afterEvents };

    public Fault For(string resource) => this with { Resource = resource };

    public Fault On(ApiVerb verb) => this with { Verb = verb };

    public Fault Forever() => this with { Times = 0 };

    public Fault Repeat(int times) => this with { Times = times };

    internal bool Applies(string? resource, ApiVerb verb, bool continued) =>
        (Resource is null || Resource == resource) && (!OnlyContinued || continued) &&
        (Verb is null ? verb is ApiVerb.List or ApiVerb.Watch : Verb == verb);
}
