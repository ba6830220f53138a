using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace KubeProxy.Configuration;

/// <summary>
/// A duration in nanoseconds, parsed and printed exactly as Go's <c>time.ParseDuration</c> and
/// <c>Duration.String</c> do ("30s", "1h0m0s", "15m0s", "500ms", "0s"). The config file and the duration flags
/// carry these strings; keeping nanoseconds (TimeSpan only has 100 ns ticks) lets a written config read back
/// bit for bit.
/// </summary>
public readonly record struct GoDuration(long Nanoseconds) : IComparable<GoDuration>
{
    private const long Nanosecond = 1;
    private const long Microsecond = 1000 * Nanosecond;
    private const long Millisecond = 1000 * Microsecond;
    private const long Second = 1000 * Millisecond;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;

    public static GoDuration Zero => default;

    public static GoDuration FromSeconds(long seconds) => new(checked(seconds * Second));

    public static GoDuration FromMilliseconds(long milliseconds) => new(checked(milliseconds * Millisecond));

    public static GoDuration FromMinutes(long minutes) => new(checked(minutes * Minute));

    public static GoDuration FromHours(long hours) => new(checked(hours * Hour));

    public static GoDuration FromTimeSpan(TimeSpan value) => new(checked(value.Ticks * 100));

    /// <summary>The value as a TimeSpan (sub-100 ns remainders are truncated).</summary>
    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(Nanoseconds / 100);

    public int CompareTo(GoDuration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    public static bool operator <(GoDuration left, GoDuration right) => left.Nanoseconds < right.Nanoseconds;

    public static bool operator >(GoDuration left, GoDuration right) => left.Nanoseconds > right.Nanoseconds;

    public static bool operator <=(GoDuration left, GoDuration right) => left.Nanoseconds <= right.Nanoseconds;

    public static bool operator >=(GoDuration left, GoDuration right) => left.Nanoseconds >= right.Nanoseconds;

    public static GoDuration Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>
    /// Parses a Go duration: an optional sign, then one or more decimal numbers (with optional fraction) each
    /// followed by a unit (ns, us, µs, μs, ms, s, m, h). "0" alone is allowed; an empty string is not.
    /// </summary>
    public static bool TryParse(string? text, out GoDuration value, [NotNullWhen(false)] out string? error)
    {
        value = default;
        error = null;
        var quoted = "\"" + text + "\"";
        if (text is null)
        {
            error = "time: invalid duration \"\"";
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return true;
        }

        if (s.IsEmpty)
        {
            error = "time: invalid duration " + quoted;
            return false;
        }

        // Accumulate as unsigned so that exactly 1<<63 (the magnitude of long.MinValue) is representable.
        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = "time: invalid duration " + quoted;
                return false;
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
            {
                error = "time: invalid duration " + quoted;
                return false;
            }

            var hasWhole = before != s.Length;
            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var beforeFraction = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = beforeFraction != s.Length;
            }

            if (!hasWhole && !hasFraction)
            {
                error = "time: invalid duration " + quoted;
                return false;
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = "time: missing unit in duration " + quoted;
                return false;
            }

            var unitText = s[..unitLength];
            s = s[unitLength..];
            if (!TryUnit(unitText, out var unit))
            {
                error = "time: unknown unit \"" + unitText.ToString() + "\" in duration " + quoted;
                return false;
            }

            if (whole > (1UL << 63) / unit)
            {
                error = "time: invalid duration " + quoted;
                return false;
            }

            var v = whole * unit;
            if (fraction > 0)
            {
                v += (ulong)(fraction * (unit / scale));
                if (v > 1UL << 63)
                {
                    error = "time: invalid duration " + quoted;
                    return false;
                }
            }

            total += v;
            if (total > 1UL << 63)
            {
                error = "time: invalid duration " + quoted;
                return false;
            }
        }

        if (negative)
        {
            value = new GoDuration(total == 1UL << 63 ? long.MinValue : -(long)total);
            return true;
        }

        if (total > long.MaxValue)
        {
            error = "time: invalid duration " + quoted;
            return false;
        }

        value = new GoDuration((long)total);
        return true;
    }

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > (1UL << 63) / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > 1UL << 63)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    // Like Go: digits past the precision of a 64-bit integer are consumed but ignored.
    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (value > (ulong.MaxValue >> 1) / 10)
            {
                overflow = true;
                continue;
            }

            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > 1UL << 63)
            {
                overflow = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }

    private static bool TryUnit(ReadOnlySpan<char> unit, out ulong nanoseconds)
    {
        nanoseconds = unit switch
        {
            "ns" => Nanosecond,
            "us" or "\u00b5s" or "\u03bcs" => Microsecond,
            "ms" => Millisecond,
            "s" => Second,
            "m" => Minute,
            "h" => Hour,
            _ => 0UL,
        };
        return nanoseconds != 0;
    }

    /// <summary>Formats like Go's Duration.String: "0s", "500ms", "1.5µs", "30s", "15m0s", "1h0m0s".</summary>
    public override string ToString()
    {
        if (Nanoseconds == 0)
        {
            return "0s";
        }

        var negative = Nanoseconds < 0;
        var u = negative ? (ulong)-(Nanoseconds + 1) + 1 : (ulong)Nanoseconds;
        var sb = new StringBuilder();
        if (u < Second)
        {
            var (precision, unit) = u switch
            {
                < Microsecond => (0, "ns"),
                < Millisecond => (3, "\u00b5s"),
                _ => (6, "ms"),
            };
            AppendFraction(sb, u, precision);
            sb.Append(unit);
        }
        else
        {
            var seconds = u % (60UL * Second);
            var minutes = u / (60UL * Second);
            if (minutes >= 60)
            {
                sb.Append((minutes / 60).ToString(CultureInfo.InvariantCulture)).Append('h');
            }

            if (minutes > 0)
            {
                sb.Append((minutes % 60).ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            AppendFraction(sb, seconds, 9);
            sb.Append('s');
        }

        return negative ? "-" + sb : sb.ToString();
    }

    // Writes value / 10^precision, dropping trailing zeros of the fraction and the point when it is whole.
    private static void AppendFraction(StringBuilder sb, ulong value, int precision)
    {
        var divisor = 1UL;
        for (var i = 0; i < precision; i++)
        {
            divisor *= 10;
        }

        sb.Append((value / divisor).ToString(CultureInfo.InvariantCulture));
        var fraction = value % divisor;
        if (fraction == 0)
        {
            return;
        }

        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        sb.Append('.').Append(digits);
    }
}
