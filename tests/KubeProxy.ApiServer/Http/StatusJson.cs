using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.ApiServer.Http;

/// <summary>The API's Status object (kind Status, status Failure) that carries every error, in a body or a watch ERROR event.</summary>
internal static class StatusJson
{
    public static string Failure(int code, string message, string? reason = null, string? causeReason = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason ?? ReasonFor(code),
            ["code"] = code,
        };
        if (causeReason is not null)
        {
            status["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = causeReason, ["message"] = message }),
            };
        }
        return status.ToJsonString();
    }

    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Expired",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    };

    public static string Expired(string message) => Failure(410, message, "Expired");

    public static string TooLargeResourceVersion(long asked, long current) =>
        Failure(504, $"Too large resource version: {asked}, current: {current}", "Timeout", "ResourceVersionTooLarge");

    public static async Task WriteAsync(HttpContext context, int code, string message, string? reason = null)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        if (code == 429) context.Response.Headers.RetryAfter = "1";
        await context.Response.WriteAsync(Failure(code, message, reason), context.RequestAborted);
    }
}
