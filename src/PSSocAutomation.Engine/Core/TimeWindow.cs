using System;
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
        private static readonly Regex Relative = new Regex(@"^\s*(\d+)\s*(s|m|h|d|w)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

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
        public static TimeWindow Parse(object value)
        {
            switch (value)
            {
                case TimeSpan span:
                    if (span <= TimeSpan.Zero) throw new ArgumentException("-Since must be a positive time span.");
                    return new TimeWindow(span, null, span.ToString());
                case DateTime dt:
                    return new TimeWindow(null, dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Local)) : new DateTimeOffset(dt), dt.ToString("o", CultureInfo.InvariantCulture));
                case DateTimeOffset dto:
                    return new TimeWindow(null, dto, dto.ToString("o", CultureInfo.InvariantCulture));
                case string text:
                    var m = Relative.Match(text);
                    if (m.Success)
                    {
                        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                        if (n <= 0) throw new ArgumentException($"-Since '{text}' must be more than zero.");
                        var unit = m.Groups[2].Value.ToLowerInvariant();
                        var span = unit == "s" ? TimeSpan.FromSeconds(n) : unit == "m" ? TimeSpan.FromMinutes(n) : unit == "h" ? TimeSpan.FromHours(n) : unit == "d" ? TimeSpan.FromDays(n) : TimeSpan.FromDays(7 * n);
                        return new TimeWindow(span, null, n + unit);
                    }
                    if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                        return new TimeWindow(null, parsed, text);
                    break;
            }
            throw new ArgumentException($"-Since '{value}' is not a time window. Use '15m', '2h', '7d', '30s', '1w', a TimeSpan, or a date.");
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
