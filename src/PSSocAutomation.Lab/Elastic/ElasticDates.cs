using System.Globalization;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// ES dates: strict_date_optional_time (what dynamic mapping detects and range queries accept), epoch millis, the
/// yyyy/MM/dd forms of the default dynamic_date_formats, date math (now-15m, ||+1M/d) and the output format.
/// Everything is epoch milliseconds in UTC, like a date field's doc values.
/// </summary>
internal static class ElasticDates
{
    public const string DefaultFormat = "strict_date_optional_time||epoch_millis";

    /// <summary>The dynamic_date_formats ES tries on every new string field.</summary>
    public static bool TryDetect(ReadOnlySpan<char> text, out long millis) =>
        TryParseIsoOptionalTime(text, out millis) || TryParseSlashed(text, out millis);

    /// <summary>A date field's value: a date string, or digits as epoch millis.</summary>
    public static bool TryParseValue(ReadOnlySpan<char> text, out long millis)
    {
        if (TryDetect(text, out millis)) return true;
        return TryParseEpochMillis(text, out millis);
    }

    public static bool TryParseEpochMillis(ReadOnlySpan<char> text, out long millis)
    {
        if (text.Length > 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out millis)) return true;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d) && !double.IsInfinity(d))
        {
            millis = (long)d;
            return true;
        }
        millis = 0;
        return false;
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss.SSSZ, the output of a date field's default format. Hand-rolled: it runs for every seeded alert.</summary>
    public static string Format(long millis)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(millis).UtcDateTime;
        return string.Create(24, t, static (span, d) =>
        {
            Digits(span, 0, d.Year, 4);
            span[4] = '-';
            Digits(span, 5, d.Month, 2);
            span[7] = '-';
            Digits(span, 8, d.Day, 2);
            span[10] = 'T';
            Digits(span, 11, d.Hour, 2);
            span[13] = ':';
            Digits(span, 14, d.Minute, 2);
            span[16] = ':';
            Digits(span, 17, d.Second, 2);
            span[19] = '.';
            Digits(span, 20, d.Millisecond, 3);
            span[23] = 'Z';
        });
    }

    private static void Digits(Span<char> span, int at, int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            span[at + i] = (char)('0' + value % 10);
            value /= 10;
        }
    }

    /// <summary>Parses with an explicit range/query "format" (epoch_millis, epoch_second, yyyy-MM-dd ...).</summary>
    public static bool TryParseWithFormat(string text, string? format, TimeZoneInfo? zone, out long millis)
    {
        if (string.IsNullOrEmpty(format)) return TryParseDefault(text, zone, out millis);
        foreach (var one in format.Split("||", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (one)
            {
                case "epoch_millis":
                    if (TryParseEpochMillis(text, out millis)) return true;
                    break;
                case "epoch_second":
                    if (TryParseEpochMillis(text, out var seconds))
                    {
                        millis = seconds * 1000;
                        return true;
                    }
                    break;
                case "strict_date_optional_time":
                case "date_optional_time":
                case "strict_date_optional_time_nanos":
                case "strict_date_time":
                case "date_time":
                case "strict_date":
                case "date":
                    if (TryParseIsoOptionalTime(text, out millis, zone)) return true;
                    break;
                default:
                    var pattern = JavaPatternToDotNet(one);
                    if (DateTime.TryParseExact(text, pattern, CultureInfo.InvariantCulture,
                            DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                    {
                        var local = DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified);
                        millis = zone is null || pattern.Contains('z') || pattern.Contains('K')
                            ? new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Utc)).ToUnixTimeMilliseconds()
                            : new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeMilliseconds();
                        return true;
                    }
                    break;
            }
        }
        millis = 0;
        return false;
    }

    public static bool TryParseDefault(string text, TimeZoneInfo? zone, out long millis) =>
        TryParseIsoOptionalTime(text, out millis, zone) || TryParseSlashed(text, out millis) || TryParseEpochMillis(text, out millis);

    private static string JavaPatternToDotNet(string java) =>
        java.Replace("SSS", "fff").Replace("'T'", "\\T").Replace("XXX", "zzz").Replace("Z", "zzz").Replace("uuuu", "yyyy");

    /// <summary>
    /// strict_date_optional_time: yyyy[-MM[-dd[THH[:mm[:ss[.fraction]]]]]][zone]; zone Z, +hh, +hh:mm or +hhmm.
    /// Strict means fixed widths, so "1" or "2024-9-1" are not dates.
    /// </summary>
    public static bool TryParseIsoOptionalTime(ReadOnlySpan<char> s, out long millis, TimeZoneInfo? zone = null) =>
        TryParseIso(s, out millis, out _, zone);

    /// <param name="precision">The smallest unit the text gave: y, M, d, H, m, s, or f for a fraction.</param>
    private static bool TryParseIso(ReadOnlySpan<char> s, out long millis, out char precision, TimeZoneInfo? zone)
    {
        millis = 0;
        precision = 'y';
        var i = 0;
        if (!Digits(s, ref i, 4, out var year)) return false;
        int month = 1, day = 1, hour = 0, minute = 0, second = 0;
        long fractionTicks = 0;
        var hasTime = false;
        if (i < s.Length && s[i] == '-')
        {
            i++;
            if (!Digits(s, ref i, 2, out month)) return false;
            precision = 'M';
            if (i < s.Length && s[i] == '-')
            {
                i++;
                if (!Digits(s, ref i, 2, out day)) return false;
                precision = 'd';
                if (i < s.Length && s[i] == 'T')
                {
                    i++;
                    hasTime = true;
                    if (!Digits(s, ref i, 2, out hour)) return false;
                    precision = 'H';
                    if (i < s.Length && s[i] == ':')
                    {
                        i++;
                        if (!Digits(s, ref i, 2, out minute)) return false;
                        precision = 'm';
                        if (i < s.Length && s[i] == ':')
                        {
                            i++;
                            if (!Digits(s, ref i, 2, out second)) return false;
                            precision = 's';
                            if (i < s.Length && (s[i] == '.' || s[i] == ','))
                            {
                                i++;
                                var start = i;
                                long frac = 0;
                                while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 9)
                                {
                                    frac = frac * 10 + (s[i] - '0');
                                    i++;
                                }
                                if (i == start) return false;
                                for (var k = i - start; k < 7; k++) frac *= 10;
                                for (var k = i - start; k > 7; k--) frac /= 10;
                                fractionTicks = frac;
                                precision = 'f';
                            }
                        }
                    }
                }
            }
        }
        TimeSpan? offset = null;
        if (i < s.Length)
        {
            if (s[i] == 'Z' && i == s.Length - 1)
            {
                offset = TimeSpan.Zero;
                i++;
            }
            else if ((s[i] == '+' || s[i] == '-') && hasTime)
            {
                var sign = s[i] == '-' ? -1 : 1;
                i++;
                if (!Digits(s, ref i, 2, out var oh)) return false;
                var om = 0;
                if (i < s.Length && s[i] == ':') i++;
                if (i < s.Length && !Digits(s, ref i, 2, out om)) return false;
                offset = TimeSpan.FromMinutes(sign * (oh * 60 + om));
            }
            else
            {
                return false;
            }
        }
        if (i != s.Length) return false;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var effective = offset ?? (zone is null ? TimeSpan.Zero : zone.GetUtcOffset(local));
        millis = new DateTimeOffset(local, effective).ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>yyyy/MM/dd HH:mm:ss [Z] and yyyy/MM/dd [Z], the second dynamic date format.</summary>
    private static bool TryParseSlashed(ReadOnlySpan<char> s, out long millis)
    {
        millis = 0;
        var i = 0;
        if (!Digits(s, ref i, 4, out var year) || !Expect(s, ref i, '/') || !Digits(s, ref i, 2, out var month) ||
            !Expect(s, ref i, '/') || !Digits(s, ref i, 2, out var day)) return false;
        int hour = 0, minute = 0, second = 0;
        if (i < s.Length && s[i] == ' ' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            if (!Digits(s, ref i, 2, out hour) || !Expect(s, ref i, ':') || !Digits(s, ref i, 2, out minute) ||
                !Expect(s, ref i, ':') || !Digits(s, ref i, 2, out second)) return false;
        }
        var offset = TimeSpan.Zero;
        if (i < s.Length)
        {
            if (s[i] != ' ') return false;
            i++;
            if (i < s.Length && s[i] == 'Z' && i == s.Length - 1) i++;
            else
            {
                if (i >= s.Length || (s[i] != '+' && s[i] != '-')) return false;
                var sign = s[i] == '-' ? -1 : 1;
                i++;
                if (!Digits(s, ref i, 2, out var oh)) return false;
                if (i < s.Length && s[i] == ':') i++;
                if (!Digits(s, ref i, 2, out var om)) return false;
                offset = TimeSpan.FromMinutes(sign * (oh * 60 + om));
            }
        }
        if (i != s.Length) return false;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        millis = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second), offset).ToUnixTimeMilliseconds();
        return true;
    }

    private static bool Expect(ReadOnlySpan<char> s, ref int i, char c)
    {
        if (i >= s.Length || s[i] != c) return false;
        i++;
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, ref int i, int count, out int value)
    {
        value = 0;
        if (i + count > s.Length) return false;
        for (var k = 0; k < count; k++)
        {
            var c = s[i + k];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        i += count;
        return true;
    }

    /// <summary>
    /// Date math as range queries read it: "now-15m", "now/d", "2024-01-01||+1M/d", or a plain date. Rounding goes to
    /// the start of the unit, or to its last millisecond when <paramref name="roundUp"/> (gt and lte bounds), as in ES.
    /// </summary>
    public static bool TryParseMath(string text, DateTimeOffset now, bool roundUp, string? format, TimeZoneInfo? zone, out long millis, out string? error)
    {
        error = null;
        millis = 0;
        string math;
        DateTimeOffset anchor;
        if (text.StartsWith("now", StringComparison.Ordinal))
        {
            anchor = now;
            math = text[3..];
        }
        else
        {
            var bars = text.IndexOf("||", StringComparison.Ordinal);
            var datePart = bars >= 0 ? text[..bars] : text;
            math = bars >= 0 ? text[(bars + 2)..] : string.Empty;
            if (!TryParseBound(datePart, format, zone, roundUp, out var baseMillis))
            {
                error = $"failed to parse date field [{datePart}] with format [{format ?? DefaultFormat}]";
                return false;
            }
            if (math.Length == 0)
            {
                millis = baseMillis;
                return true;
            }
            anchor = DateTimeOffset.FromUnixTimeMilliseconds(baseMillis);
        }

        // Calendar arithmetic and rounding happen in the query's time zone, as ES does.
        var offset = zone?.GetUtcOffset(anchor) ?? TimeSpan.Zero;
        var time = anchor.ToOffset(offset);
        var i = 0;
        while (i < math.Length)
        {
            var op = math[i++];
            if (op == '/')
            {
                if (i >= math.Length || !TryUnit(math[i], out var unit))
                {
                    error = $"operation [/] must be followed by a unit in [{text}]";
                    return false;
                }
                i++;
                time = Round(time, unit, roundUp);
                continue;
            }
            if (op != '+' && op != '-')
            {
                error = $"operator not supported for date math [{text}]";
                return false;
            }
            var start = i;
            while (i < math.Length && char.IsAsciiDigit(math[i])) i++;
            var amount = i > start ? int.Parse(math.AsSpan(start, i - start), CultureInfo.InvariantCulture) : 1;
            if (i >= math.Length || !TryUnit(math[i], out var u))
            {
                error = $"rounding/units missing in date math [{text}]";
                return false;
            }
            i++;
            if (op == '-') amount = -amount;
            time = u switch
            {
                'y' => time.AddYears(amount),
                'M' => time.AddMonths(amount),
                'w' => time.AddDays(7 * amount),
                'd' => time.AddDays(amount),
                'h' or 'H' => time.AddHours(amount),
                'm' => time.AddMinutes(amount),
                _ => time.AddSeconds(amount),
            };
        }
        millis = time.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>
    /// ES's round-up parser fills the units a date leaves out with their maximum, so lte "2024-09-20" takes in the
    /// whole day and lte "...T12:00:00" the whole second.
    /// </summary>
    private static bool TryParseBound(string text, string? format, TimeZoneInfo? zone, bool roundUp, out long millis)
    {
        if ((format is null || format == DefaultFormat) && TryParseIso(text, out millis, out var precision, zone))
        {
            if (roundUp && precision != 'f')
            {
                var t = DateTimeOffset.FromUnixTimeMilliseconds(millis);
                t = t.ToOffset(zone?.GetUtcOffset(t) ?? TimeSpan.Zero);
                millis = Round(t, precision, true).ToUnixTimeMilliseconds();
            }
            return true;
        }
        return TryParseWithFormat(text, format, zone, out millis);
    }

    private static bool TryUnit(char c, out char unit)
    {
        unit = c;
        return c is 'y' or 'M' or 'w' or 'd' or 'h' or 'H' or 'm' or 's';
    }

    private static DateTimeOffset Round(DateTimeOffset t, char unit, bool roundUp)
    {
        var start = unit switch
        {
            'y' => new DateTimeOffset(t.Year, 1, 1, 0, 0, 0, t.Offset),
            'M' => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, t.Offset),
            'w' => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, t.Offset).AddDays(-(((int)t.DayOfWeek + 6) % 7)),
            'd' => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, t.Offset),
            'h' or 'H' => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, 0, 0, t.Offset),
            'm' => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, t.Offset),
            _ => new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, t.Offset),
        };
        if (!roundUp) return start;
        var next = unit switch
        {
            'y' => start.AddYears(1),
            'M' => start.AddMonths(1),
            'w' => start.AddDays(7),
            'd' => start.AddDays(1),
            'h' or 'H' => start.AddHours(1),
            'm' => start.AddMinutes(1),
            _ => start.AddSeconds(1),
        };
        return next.AddMilliseconds(-1);
    }

    /// <summary>time_zone parameter: an offset ("+01:00") or an IANA id ("Europe/Paris").</summary>
    public static TimeZoneInfo? ParseZone(string? zone)
    {
        if (string.IsNullOrEmpty(zone)) return null;
        if (zone is "Z" or "UTC" or "Etc/UTC") return TimeZoneInfo.Utc;
        if ((zone[0] == '+' || zone[0] == '-') && TimeSpan.TryParse(zone.TrimStart('+'), CultureInfo.InvariantCulture, out var offset))
        {
            if (zone[0] == '-' && offset > TimeSpan.Zero) offset = -offset;
            return TimeZoneInfo.CreateCustomTimeZone(zone, offset, zone, zone);
        }
        try { return TimeZoneInfo.FindSystemTimeZoneById(zone); }
        catch (TimeZoneNotFoundException) { throw ElasticException.IllegalArgument($"Unknown time-zone ID: {zone}"); }
    }
}
