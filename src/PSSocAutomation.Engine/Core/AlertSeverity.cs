using System;
using System.Globalization;

namespace PSSocAutomation.Core
{
    /// <summary>The one severity scale every source maps onto and every sink maps from.</summary>
    public enum AlertSeverity
    {
        Unknown = 0,
        Informational = 1,
        Low = 2,
        Medium = 3,
        High = 4,
        Critical = 5,
    }

    public static class AlertSeverityScale
    {
        /// <summary>
        /// A vendor's severity as text or number: labels ("high", "HIGH", "Sev 3" is not guessed), Elastic/Kibana risk
        /// scores 0-100 (21/47/73 are Kibana's band edges), and 0-10 Security Hub/GuardDuty style numbers when asked.
        /// </summary>
        public static AlertSeverity Parse(object? value)
        {
            switch (value)
            {
                case null: return AlertSeverity.Unknown;
                case AlertSeverity s: return s;
                case string text: return FromText(text);
                case int i: return FromScore(i);
                case long l: return FromScore(l);
                case double d: return FromScore(d);
                case decimal m: return FromScore((double)m);
                default:
                    return FromText(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        public static AlertSeverity FromText(string text)
        {
            var t = text.Trim().ToLowerInvariant();
            switch (t)
            {
                case "": return AlertSeverity.Unknown;
                case "info":
                case "informational":
                case "information":
                case "informative": return AlertSeverity.Informational;
                case "low": return AlertSeverity.Low;
                case "medium":
                case "moderate": return AlertSeverity.Medium;
                case "high": return AlertSeverity.High;
                case "critical":
                case "crit": return AlertSeverity.Critical;
            }
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return FromScore(number);
            return AlertSeverity.Unknown;
        }

        /// <summary>A 0-100 risk score (Kibana's bands: 0-21 low, 22-47 medium, 48-73 high, 74-100 critical).</summary>
        public static AlertSeverity FromScore(double score)
        {
            if (score < 0) return AlertSeverity.Unknown;
            if (score <= 21) return AlertSeverity.Low;
            if (score <= 47) return AlertSeverity.Medium;
            if (score <= 73) return AlertSeverity.High;
            return AlertSeverity.Critical;
        }
    }
}
