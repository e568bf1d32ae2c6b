using System;
using System.Linq;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// "-Since 15m" and friends: '15m', '2h', '7d', '30s', '1w', a TimeSpan, a DateTime/DateTimeOffset or an ISO date.
    /// Turned into the absolute start of the window and into Elasticsearch date math.
    /// </summary>
    public sealed class TimeWindow
    {
        // \d would also match other scripts' digits ('١٥m'), which int.Parse then refuses: \p{Nd} is matched on purpose so
        // such a value gets its own message instead of "not a time window".
        private static readonly Regex Relative = new Regex(@"^\s*(\p{Nd}+)\s*(s|m|h|d|w)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The longest window -Since takes: Elasticsearch date math and DateTimeOffset arithmetic both stay in range.</summary>
        private static readonly TimeSpan Longest = TimeSpan.FromDays(36525);

        private TimeWindow(TimeSpan? relative, DateTimeOffset? absolute, string text)
        {
            RelativeSpan = relative;
            Absolute = absolute;
            Text = text;
        }

        public TimeSpan? RelativeSpan { get; }
        public DateTimeOffset? Absolute { get; }
        public string Text { get; }

        /// <summary>Parse a value PowerShell has already unwrapped (no PSObject).</summary>
        public static TimeWindow Parse(object value, string parameter = "-Since")
        {
            switch (value)
            {
                case TimeSpan span:
                    if (span <= TimeSpan.Zero) throw new ArgumentException(parameter + " must be a positive time span.");
                    if (span > Longest) throw new ArgumentException($"{parameter} {span} reaches back further than 100 years; give a shorter window or a start date.");
                    return new TimeWindow(span, null, span.ToString());
                case DateTime dt:
                    return new TimeWindow(null, dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Local)) : new DateTimeOffset(dt), dt.ToString("o", CultureInfo.InvariantCulture));
                case DateTimeOffset dto:
                    return new TimeWindow(null, dto, dto.ToString("o", CultureInfo.InvariantCulture));
                // Unquoted, 30d, 30s and 2y are PowerShell's decimal, short and sbyte literals: the unit is gone before
                // the cmdlet sees the value, so say how to write it rather than guess a unit.
                case decimal _:
                case double _:
                case float _:
                case long _:
                case int _:
                case short _:
                case sbyte _:
                case byte _:
                    throw BareNumber(parameter, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                case string text:
                    var m = Relative.Match(text);
                    if (m.Success)
                    {
                        var digits = m.Groups[1].Value;
                        var unit = m.Groups[2].Value.ToLowerInvariant();
                        foreach (var c in digits)
                            if (c < '0' || c > '9')
                                throw new ArgumentException($"{parameter} '{text}' uses digits other than 0-9; write it as '{AsciiDigits(digits)}{unit}'.");
                        // Parsed as a double first: a number past Int64 still gets the "too long" message below.
                        var n = double.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
                        if (n <= 0) throw new ArgumentException($"{parameter} '{text}' must be more than zero.");
                        var seconds = n * (unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 7 * 86400);
                        if (seconds > Longest.TotalSeconds)
                            throw new ArgumentException($"{parameter} '{text}' reaches back further than 100 years; give a shorter window (such as '30d') or a start date.");
                        return new TimeWindow(TimeSpan.FromSeconds(seconds), null, digits.TrimStart('0') + unit);
                    }
                    if (text.Length > 0 && text.All(char.IsDigit)) throw BareNumber(parameter, text);
                    if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                        return new TimeWindow(null, parsed, text);
                    break;
            }
            throw new ArgumentException($"{parameter} '{value}' is not a time window. Use '15m', '2h', '7d', '30s', '1w', a TimeSpan, or a date.");
        }

        private static ArgumentException BareNumber(string parameter, string number) =>
            new ArgumentException($"{parameter} {number} has no unit. Unquoted, PowerShell reads 30d, 30s and 2y as plain numbers: quote the window, as in {parameter} '{number}d' or '{number}h'.");

        private static string AsciiDigits(string digits)
        {
            var ascii = new char[digits.Length];
            for (var i = 0; i < digits.Length; i++) ascii[i] = (char)('0' + (int)char.GetNumericValue(digits[i]));
            return new string(ascii);
        }

        /// <summary>The range bound for Elasticsearch: date math relative to the server's now, or an absolute ISO time.</summary>
        public string ToElasticGte()
        {
            if (RelativeSpan is TimeSpan span)
            {
                // Whole seconds keep the date math exact and readable in the journal.
                return "now-" + (long)Math.Ceiling(span.TotalSeconds) + "s";
            }
            return Absolute!.Value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        }

        public DateTimeOffset StartFrom(DateTimeOffset now) => RelativeSpan is TimeSpan span ? now - span : Absolute!.Value;

        public override string ToString() => Text;
    }
}
