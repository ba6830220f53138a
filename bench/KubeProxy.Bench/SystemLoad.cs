using System.Globalization;

namespace KubeProxy.Bench;

/// <summary>The 1-minute load average (/proc/loadavg), recorded with every figure: the machine is shared.</summary>
internal static class SystemLoad
{
    public static double OneMinute() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
}
