using System.Globalization;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Linux.Sysctl;

/// <summary>
/// Tunes the node's conntrack at start (upstream pkg/proxy/conntrack/sysctls.go and server_linux.go): the table
/// limit and hash size, TCP timeouts, tcp_be_liberal, UDP timeouts. Each value is written only when it differs from
/// the kernel's. A read-only /proc or /sys (common in containers) is a warning, not a failed start.
/// </summary>
public static partial class ConntrackSysctls
{
    public const string NetfilterDirectory = "/proc/sys/net/netfilter/";
    public const string Max = NetfilterDirectory + "nf_conntrack_max";
    public const string TcpEstablishedTimeout = NetfilterDirectory + "nf_conntrack_tcp_timeout_established";
    public const string TcpCloseWaitTimeout = NetfilterDirectory + "nf_conntrack_tcp_timeout_close_wait";
    public const string TcpBeLiberal = NetfilterDirectory + "nf_conntrack_tcp_be_liberal";
    public const string UdpTimeout = NetfilterDirectory + "nf_conntrack_udp_timeout";
    public const string UdpStreamTimeout = NetfilterDirectory + "nf_conntrack_udp_timeout_stream";
    public const string HashSize = "/sys/module/nf_conntrack/parameters/hashsize";
    public const string OnlineCpus = "/sys/devices/system/cpu/online";

    /// <param name="cpuCount">CPUs to scale the limit by; by default those the machine has online (not the
    /// container's CPU quota: upstream counts the machine's, see kubernetes issue 99225).</param>
    /// <exception cref="IOException">A tunable is missing (nf_conntrack not loaded) or fails for another reason than read-only.</exception>
    public static ConntrackSysctlResult Apply(ConntrackSysctlOptions options, ISysctl sysctl, ILogger logger, int? cpuCount = null)
    {
        var written = new List<string>();
        var readOnly = new List<string>();

        var max = ConntrackMax(options, cpuCount ?? CountCpus(sysctl));
        if (max > 0)
        {
            LogSettingMax(logger, max);
            if (Set(sysctl, logger, Max, max, written, readOnly))
            {
                // The hash table should hold a quarter of the limit in buckets; only ever raise it.
                var hashSize = ReadInt(sysctl, HashSize);
                if (hashSize < max / 4)
                {
                    LogSettingHashSize(logger, max / 4);
                    Write(sysctl, logger, HashSize, max / 4, written, readOnly);
                }
            }
        }
        if (options.TcpEstablishedTimeout is { } established && established > TimeSpan.Zero)
            Set(sysctl, logger, TcpEstablishedTimeout, Seconds(established), written, readOnly);
        if (options.TcpCloseWaitTimeout is { } closeWait && closeWait > TimeSpan.Zero)
            Set(sysctl, logger, TcpCloseWaitTimeout, Seconds(closeWait), written, readOnly);
        if (options.TcpBeLiberal) Set(sysctl, logger, TcpBeLiberal, 1, written, readOnly);
        if (options.UdpTimeout > TimeSpan.Zero) Set(sysctl, logger, UdpTimeout, Seconds(options.UdpTimeout), written, readOnly);
        if (options.UdpStreamTimeout > TimeSpan.Zero) Set(sysctl, logger, UdpStreamTimeout, Seconds(options.UdpStreamTimeout), written, readOnly);

        return new ConntrackSysctlResult(written, readOnly);
    }

    /// <summary>max(maxPerCore × CPUs, min) when maxPerCore is positive, else 0 (leave alone).</summary>
    public static int ConntrackMax(ConntrackSysctlOptions options, int cpuCount)
    {
        if (options.MaxPerCore is not { } perCore || perCore <= 0) return 0;
        var floor = options.Min ?? 0;
        var scaled = (long)perCore * cpuCount;
        return (int)Math.Min(int.MaxValue, Math.Max(scaled, floor));
    }

    /// <summary>Counts the CPUs in /sys/devices/system/cpu/online ("0-3,6"); falls back to the runtime's count.</summary>
    public static int CountCpus(ISysctl sysctl)
    {
        var text = sysctl.Read(OnlineCpus);
        if (string.IsNullOrWhiteSpace(text)) return Environment.ProcessorCount;
        var count = 0;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return Environment.ProcessorCount;
                count++;
            }
            else if (int.TryParse(part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                     && int.TryParse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var to) && to >= from)
            {
                count += to - from + 1;
            }
            else
            {
                return Environment.ProcessorCount;
            }
        }
        return count > 0 ? count : Environment.ProcessorCount;
    }

    private static int Seconds(TimeSpan value) => (int)Math.Min(int.MaxValue, (long)value.TotalSeconds);

    /// <summary>Writes when different; returns false only when the write was refused as read-only.</summary>
    private static bool Set(ISysctl sysctl, ILogger logger, string path, int value, List<string> written, List<string> readOnly)
    {
        var current = sysctl.Read(path) ?? throw new FileNotFoundException($"{path} does not exist (is the nf_conntrack module loaded?)", path);
        if (int.TryParse(current, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var existing) && existing == value) return true;
        LogSetting(logger, path, value, current);
        return Write(sysctl, logger, path, value, written, readOnly);
    }

    private static bool Write(ISysctl sysctl, ILogger logger, string path, int value, List<string> written, List<string> readOnly)
    {
        try
        {
            sysctl.Write(path, value.ToString(CultureInfo.InvariantCulture));
            written.Add(path);
            return true;
        }
        catch (SysctlReadOnlyException e)
        {
            LogReadOnly(logger, e, path, value);
            readOnly.Add(path);
            return false;
        }
    }

    private static int ReadInt(ISysctl sysctl, string path)
    {
        var text = sysctl.Read(path) ?? throw new FileNotFoundException($"{path} does not exist (is the nf_conntrack module loaded?)", path);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}: '{text}' is not a number");
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Setting nf_conntrack_max nfConntrackMax={Max}")]
    private static partial void LogSettingMax(ILogger logger, int max);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Setting conntrack hashsize conntrackHashsize={HashSize}")]
    private static partial void LogSettingHashSize(ILogger logger, int hashSize);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Set sysctl entry={Path} value={Value} previous={Previous}")]
    private static partial void LogSetting(ILogger logger, string path, int value, string previous);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "Cannot set {Path} to {Value}: read-only file system; conntrack limits stay as they are and problems may arise later")]
    private static partial void LogReadOnly(ILogger logger, Exception error, string path, int value);
}
