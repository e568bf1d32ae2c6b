using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// Floating point numbers the way ES (Java's Double/Float.toString through Jackson) writes them: 1.0 rather than 1,
/// 1.0E7 past ten million, and "Infinity" as a string. Clients that tell integers from reals see the same types.
/// </summary>
internal static class ElasticNumbers
{
    public static void Write(Utf8JsonWriter writer, double value, bool isFloat)
    {
        if (double.IsNaN(value))
        {
            writer.WriteStringValue("NaN");
            return;
        }
        if (double.IsInfinity(value))
        {
            writer.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
            return;
        }
        writer.WriteRawValue(Format(value, isFloat), skipInputValidation: true);
    }

    public static string Format(double value, bool isFloat)
    {
        var shortest = isFloat ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        var e = shortest.IndexOfAny(new[] { 'E', 'e' });
        var mantissa = e >= 0 ? shortest[..e] : shortest;
        var exponent = e >= 0 ? int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture) : 0;
        var point = mantissa.IndexOf('.');
        var digits = point >= 0 ? mantissa.Remove(point, 1) : mantissa;
        var pointPos = point >= 0 ? point : mantissa.Length;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0') leading++;
        digits = digits[leading..];
        var exp10 = pointPos - 1 - leading + exponent;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) return negative ? "-0.0" : "0.0";

        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        if (exp10 >= -3 && exp10 < 7)
        {
            if (exp10 >= 0)
            {
                var intDigits = exp10 + 1;
                sb.Append(digits.Length > intDigits ? digits[..intDigits] : digits.PadRight(intDigits, '0'));
                sb.Append('.');
                sb.Append(digits.Length > intDigits ? digits[intDigits..] : "0");
            }
            else
            {
                sb.Append("0.").Append('0', -exp10 - 1).Append(digits);
            }
        }
        else
        {
            sb.Append(digits[0]).Append('.').Append(digits.Length > 1 ? digits[1..] : "0").Append('E').Append(exp10.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
