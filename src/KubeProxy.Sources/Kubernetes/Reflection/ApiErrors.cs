using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>Reads the HTTP status (and the Status object's reason) out of whatever KubernetesClient threw.</summary>
internal static class ApiErrors
{
    public static int? StatusCode(Exception e) => e switch
    {
        KubernetesException { Status.Code: { } code } => code,
        HttpOperationException { Response: { } response } => (int)response.StatusCode,
        _ => null,
    };

    /// <summary>410: the version asked for is compacted away (a watch or a continue token); only a relist helps.</summary>
    public static bool IsGone(Exception e) => StatusCode(e) == (int)HttpStatusCode.Gone;

    public static bool IsNotFound(Exception e) => StatusCode(e) == (int)HttpStatusCode.NotFound;

    /// <summary>The server's Retry-After (sent with 429 and some 503s), capped; zero when absent.</summary>
    public static TimeSpan RetryAfter(Exception e, TimeSpan cap)
    {
        if (e is not HttpOperationException { Response.Headers: { } headers }) return TimeSpan.Zero;
        foreach (var (name, values) in headers)
        {
            if (!name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values)
            {
                if (int.TryParse(value, out var seconds) && seconds > 0) return TimeSpan.FromSeconds(Math.Min(seconds, cap.TotalSeconds));
            }
        }
        return TimeSpan.Zero;
    }

    /// <summary>One line saying what went wrong, for logs: the status code and the server's message when there is one.</summary>
    public static string Describe(Exception e)
    {
        switch (e)
        {
            case KubernetesException { Status: { } status }:
                return $"{status.Code} {status.Reason}: {status.Message}";
            case HttpOperationException { Response: { } response } http:
                var message = TryStatusMessage(response.Content) ?? http.Message;
                return $"{(int)response.StatusCode} {response.StatusCode}: {message}";
            case OperationCanceledException or TimeoutException:
                return e.Message;
            default:
                var inner = e.InnerException is { } i ? " (" + i.Message + ")" : "";
                return e.GetType().Name + ": " + e.Message + inner;
        }
    }

    private static string? TryStatusMessage(string? content)
    {
        if (string.IsNullOrEmpty(content)) return null;
        try
        {
            return KubernetesJson.Deserialize<V1Status>(content)?.Message;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
