namespace KubeProxy.Configuration;

/// <summary>
/// Go's <c>strconv.ParseInt(s, 0, bits)</c>: an optional sign, then decimal, "0x" hex, "0o" or leading-zero
/// octal, or "0b" binary, with Go's rules for underscores between digits. pflag's integer flags and go-yaml both
/// parse integers this way, so "--oom-score-adj=-0x10" or "masqueradeBit: 0o16" mean what they mean upstream.
/// </summary>
public static class GoInteger
{
    public static bool TryParse(string? text, int bits, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var s = text.AsSpan();
        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        var numberBase = 10;
        var hasPrefix = false;
        if (s.Length >= 2 && s[0] == '0')
        {
            switch (char.ToLowerInvariant(s[1]))
            {
                case 'x':
                    numberBase = 16;
                    s = s[2..];
                    hasPrefix = true;
                    break;
                case 'o':
                    numberBase = 8;
                    s = s[2..];
                    hasPrefix = true;
                    break;
                case 'b':
                    numberBase = 2;
                    s = s[2..];
                    hasPrefix = true;
                    break;
                default:
                    numberBase = 8;
                    s = s[1..];
                    break;
            }
        }

        if (!UnderscoresOk(text))
        {
            return false;
        }

        ulong magnitude = 0;
        var digits = 0;
        var limit = 1UL << (bits - 1);
        foreach (var c in s)
        {
            if (c == '_')
            {
                continue;
            }

            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= numberBase)
            {
                return false;
            }

            if (magnitude > (ulong.MaxValue - (ulong)digit) / (ulong)numberBase)
            {
                return false;
            }

            magnitude = (magnitude * (ulong)numberBase) + (ulong)digit;
            digits++;
        }

        // "0x" alone has no digits; "0" alone was consumed as an octal prefix and means zero.
        if (digits == 0 && (hasPrefix || text.TrimStart('+', '-').Length != 1))
        {
            return false;
        }

        if (negative ? magnitude > limit : magnitude >= limit)
        {
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    private static bool UnderscoresOk(string text)
    {
        var s = text.AsSpan();
        if (s.Length >= 1 && s[0] is '+' or '-')
        {
            s = s[1..];
        }

        var saw = '^';
        var i = 0;
        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }

        for (; i < s.Length; i++)
        {
            var c = char.ToLowerInvariant(s[i]);
            if (char.IsAsciiDigit(c) || (hex && c is >= 'a' and <= 'f'))
            {
                saw = '0';
                continue;
            }

            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }

                saw = '_';
                continue;
            }

            if (saw == '_')
            {
                return false;
            }

            saw = '!';
        }

        return saw != '_';
    }
}
