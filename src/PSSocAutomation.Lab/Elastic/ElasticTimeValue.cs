using System.Globalization;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>ES time values ("1m", "30s", "500ms", "2h", "1d", "10micros"): keep_alive, fixed_interval, timeout.</summary>
internal static class ElasticTimeValue
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (text is "0" or "-1")
        {
            value = text == "0" ? TimeSpan.Zero : TimeSpan.FromMilliseconds(-1);
            return true;
        }
        var units = new (string Suffix, double Millis)[]
        {
            ("nanos", 1e-6), ("micros", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
        };
        foreach (var (suffix, millis) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var number = text[..^suffix.Length];
            // "ms" also ends with "s", and "micros" with "s": only accept when what remains is a number.
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0) continue;
            value = TimeSpan.FromMilliseconds(n * millis);
            return true;
        }
        return false;
    }

    /// <summary>Parses or fails the way ES does: parse_exception, naming the setting.</summary>
    public static TimeSpan Parse(string text, string setting)
    {
        if (TryParse(text, out var value)) return value;
        throw new ElasticException(400, new ElasticErrorCause("parse_exception",
            $"failed to parse setting [{setting}] with value [{text}] as a time value: unit is missing or unrecognized"));
    }

    public static string Format(TimeSpan value)
    {
        if (value.TotalDays >= 1 && value.TotalDays == Math.Floor(value.TotalDays)) return $"{value.TotalDays:0}d";
        if (value.TotalHours >= 1 && value.TotalHours == Math.Floor(value.TotalHours)) return $"{value.TotalHours:0}h";
        if (value.TotalMinutes >= 1 && value.TotalMinutes == Math.Floor(value.TotalMinutes)) return $"{value.TotalMinutes:0}m";
        if (value.TotalSeconds >= 1 && value.TotalSeconds == Math.Floor(value.TotalSeconds)) return $"{value.TotalSeconds:0}s";
        return $"{value.TotalMilliseconds:0}ms";
    }
}
