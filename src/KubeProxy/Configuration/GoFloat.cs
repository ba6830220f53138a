using System.Globalization;
using System.Text;

namespace KubeProxy.Configuration;

/// <summary>
/// Go's <c>strconv.FormatFloat(f, 'g', -1, 64)</c>, the form go-yaml writes floats in: the shortest digits that
/// read back exactly, in exponent form when the exponent is below -4 or at least 6 ("5", "0.5", "1e+06").
/// </summary>
internal static class GoFloat
{
    public static string FormatG(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "+Inf" : "-Inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        var (negative, digits, decimalPoint) = ShortestDigits(value);
        var exponent = decimalPoint - 1;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (exponent < -4 || exponent >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exponent < 0 ? '-' : '+');
            sb.Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        if (decimalPoint > 0)
        {
            sb.Append(digits.Length >= decimalPoint ? digits[..decimalPoint] : digits.PadRight(decimalPoint, '0'));
        }
        else
        {
            sb.Append('0');
        }

        var fractionDigits = Math.Max(digits.Length - decimalPoint, 0);
        if (fractionDigits > 0)
        {
            sb.Append('.');
            for (var i = 0; i < fractionDigits; i++)
            {
                var index = decimalPoint + i;
                sb.Append(index >= 0 && index < digits.Length ? digits[index] : '0');
            }
        }

        return sb.ToString();
    }

    // The shortest round-trip digits (no leading/trailing zeros) and the position of the decimal point.
    private static (bool Negative, string Digits, int DecimalPoint) ShortestDigits(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        text = text.TrimStart('-');
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.', StringComparison.Ordinal);
        var intLength = point < 0 ? text.Length : point;
        var digits = text.Replace(".", string.Empty, StringComparison.Ordinal);
        var decimalPoint = intLength + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0');
        decimalPoint -= leadingZeros;
        digits = digits.TrimEnd('0');
        return (negative, digits, decimalPoint);
    }
}
