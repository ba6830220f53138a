using KubeProxy.Configuration;

namespace KubeProxy.Tests.Configuration;

public class GoDurationTests
{
    private const long S = 1_000_000_000;

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("-0", 0)]
    [InlineData("30s", 30 * S)]
    [InlineData("1h0m0s", 3600 * S)]
    [InlineData("15m0s", 900 * S)]
    [InlineData("15m", 900 * S)]
    [InlineData("500ms", 500_000_000)]
    [InlineData("1.5s", 1_500_000_000)]
    [InlineData(".5s", 500_000_000)]
    [InlineData("1.s", S)]
    [InlineData("2h22m", (2 * 3600 + 22 * 60) * S)]
    [InlineData("1h30m15.25s", ((3600 + 1800 + 15) * S) + 250_000_000)]
    [InlineData("-1s", -S)]
    [InlineData("+5m", 300 * S)]
    [InlineData("100ns", 100)]
    [InlineData("3us", 3000)]
    [InlineData("3\u00b5s", 3000)]
    [InlineData("3\u03bcs", 3000)]
    [InlineData("24h", 86400 * S)]
    [InlineData("9223372036854775807ns", long.MaxValue)]
    [InlineData("-9223372036854775808ns", long.MinValue)]
    public void Parses_like_Go(string text, long nanoseconds) =>
        Assert.Equal(nanoseconds, GoDuration.Parse(text).Nanoseconds);

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("30", "time: missing unit in duration \"30\"")]
    [InlineData("1d", "time: unknown unit \"d\" in duration \"1d\"")]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("1s ", "time: unknown unit \"s \" in duration \"1s \"")]
    [InlineData(" 1s", "time: invalid duration \" 1s\"")]
    [InlineData("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    public void Rejects_like_Go(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ns")]
    [InlineData(1500, "1.5\u00b5s")]
    [InlineData(500_000_000, "500ms")]
    [InlineData(1_500_000, "1.5ms")]
    [InlineData(S, "1s")]
    [InlineData(30 * S, "30s")]
    [InlineData(90 * S, "1m30s")]
    [InlineData(900 * S, "15m0s")]
    [InlineData(3600 * S, "1h0m0s")]
    [InlineData(86400 * S, "24h0m0s")]
    [InlineData((3600 * S) + 1, "1h0m0.000000001s")]
    [InlineData(-S, "-1s")]
    [InlineData(long.MinValue, "-2562047h47m16.854775808s")]
    [InlineData(long.MaxValue, "2562047h47m16.854775807s")]
    public void Formats_like_Go(long nanoseconds, string text) =>
        Assert.Equal(text, new GoDuration(nanoseconds).ToString());

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(999L)]
    [InlineData(123_456_789L)]
    [InlineData(86_400_000_000_123L)]
    [InlineData(-42_000_000_000L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Round_trips(long nanoseconds)
    {
        var d = new GoDuration(nanoseconds);
        Assert.Equal(d, GoDuration.Parse(d.ToString()));
    }

    [Fact]
    public void Converts_to_TimeSpan() =>
        Assert.Equal(TimeSpan.FromMinutes(15), GoDuration.Parse("15m").ToTimeSpan());
}
