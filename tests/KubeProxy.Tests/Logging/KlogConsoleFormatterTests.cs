using KubeProxy.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Tests.Logging;

public class KlogConsoleFormatterTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2025, 11, 26, 13, 55, 0, TimeSpan.Zero).AddTicks(1_234_560));

    private static string Write(int verbosity, LogLevel level, string message, EventId eventId = default, Exception? exception = null,
        string category = "KubeProxy.Nftables.Proxier")
    {
        Clock.SetLocalTimeZone(TimeZoneInfo.Utc);
        var options = new KlogConsoleFormatterOptions { Verbosity = verbosity, TimeProvider = Clock, ProcessId = 1234 };
        using var formatter = new KlogConsoleFormatter(new StaticOptions(options));
        var writer = new StringWriter();
        var entry = new LogEntry<string>(level, category, eventId, message, exception, (s, _) => s);
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    [Fact]
    public void Writes_one_klog_line()
    {
        Assert.Equal("I1126 13:55:00.123456    1234 Proxier] Syncing nftables rules\n",
            Write(2, LogLevel.Information, "Syncing nftables rules"));
    }

    [Theory]
    [InlineData(LogLevel.Warning, 'W')]
    [InlineData(LogLevel.Error, 'E')]
    [InlineData(LogLevel.Critical, 'F')]
    [InlineData(LogLevel.Debug, 'I')]
    [InlineData(LogLevel.Trace, 'I')]
    public void Severity_letters(LogLevel level, char letter) =>
        Assert.StartsWith(letter + "1126 ", Write(6, level, "x"), StringComparison.Ordinal);

    [Fact]
    public void Newlines_are_escaped_and_exceptions_stay_on_the_line()
    {
        var line = Write(0, LogLevel.Error, "first\nsecond", exception: new InvalidOperationException("bad \"thing\"\nhere"));
        Assert.Equal("E1126 13:55:00.123456    1234 Proxier] first\\nsecond err=\"InvalidOperationException: bad \\\"thing\\\"\\nhere\"\n", line);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Stack_traces_only_at_verbosity_4()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        Assert.DoesNotContain("stack=", Write(2, LogLevel.Error, "failed", exception: thrown), StringComparison.Ordinal);
        var verbose = Write(4, LogLevel.Error, "failed", exception: thrown);
        Assert.Contains(" stack=\"", verbose, StringComparison.Ordinal);
        Assert.Single(verbose.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Category_is_shortened_to_its_last_part()
    {
        Assert.Contains(" Program] ", Write(2, LogLevel.Information, "x", category: "Program"), StringComparison.Ordinal);
        Assert.Contains(" Cache] ", Write(2, LogLevel.Information, "x", category: "A.B.Cache[[System.String]]"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, LogLevel.Information, 0, false)]
    [InlineData(0, LogLevel.Information, KlogVerbosity.ImportantFirst, true)]
    [InlineData(0, LogLevel.Warning, 0, true)]
    [InlineData(1, LogLevel.Information, 1, false)]
    [InlineData(2, LogLevel.Information, 1, true)]
    [InlineData(3, LogLevel.Debug, 1, false)]
    [InlineData(4, LogLevel.Debug, 1, true)]
    [InlineData(4, LogLevel.Trace, 1, false)]
    [InlineData(5, LogLevel.Trace, 1, true)]
    public void Verbosity_filters(int verbosity, LogLevel level, int eventId, bool shown)
    {
        Assert.Equal(shown, KlogVerbosity.IsShown(verbosity, level, new EventId(eventId)));
        Assert.Equal(shown, Write(verbosity, level, "m", new EventId(eventId)).Length > 0);
    }

    private sealed class StaticOptions(KlogConsoleFormatterOptions value) : IOptionsMonitor<KlogConsoleFormatterOptions>
    {
        public KlogConsoleFormatterOptions CurrentValue => value;

        public KlogConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<KlogConsoleFormatterOptions, string?> listener) => null;
    }
}
