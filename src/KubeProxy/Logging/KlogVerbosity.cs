using Microsoft.Extensions.Logging;

namespace KubeProxy.Logging;

/// <summary>
/// Maps klog's <c>-v</c> levels onto Microsoft.Extensions.Logging, the way upstream kube-proxy uses them:
/// <list type="table">
/// <item><term>-v 0-1</term><description>warnings, errors, and only the important Information events</description></item>
/// <item><term>-v 2-3</term><description>all Information events (klog V(2), the usual production level)</description></item>
/// <item><term>-v 4</term><description>plus Debug</description></item>
/// <item><term>-v 5-6</term><description>plus Trace</description></item>
/// </list>
/// MEL has one Information level where klog has V(0) and V(2), so an Information event counts as important
/// (shown at -v 0, like klog's unconditional Info) when its event id is in <see cref="ImportantFirst"/> ..
/// <see cref="ImportantLast"/>; use it for start-up facts and rare state changes ("Using nftables proxy").
/// </summary>
public static class KlogVerbosity
{
    /// <summary>First event id of the "important information" range.</summary>
    public const int ImportantFirst = 9000;

    /// <summary>Last event id of the "important information" range.</summary>
    public const int ImportantLast = 9999;

    /// <summary>Whether an event id marks an Information event as important (shown at every verbosity).</summary>
    public static bool IsImportant(EventId eventId) => eventId.Id is >= ImportantFirst and <= ImportantLast;

    /// <summary>The lowest MEL level that can be shown at a verbosity.</summary>
    public static LogLevel MinimumLevel(int verbosity) => verbosity switch
    {
        >= 5 => LogLevel.Trace,
        4 => LogLevel.Debug,
        _ => LogLevel.Information,
    };

    /// <summary>Whether an event is shown at a verbosity.</summary>
    public static bool IsShown(int verbosity, LogLevel level, EventId eventId)
    {
        if (level == LogLevel.None || level < MinimumLevel(verbosity))
        {
            return false;
        }

        return level != LogLevel.Information || verbosity >= 2 || IsImportant(eventId);
    }
}
