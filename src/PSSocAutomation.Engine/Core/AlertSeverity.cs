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

    /// <summary>
    /// Every source's own severity onto <see cref="AlertSeverity"/>. A number means nothing without its source's scale
    /// (7 is High for GuardDuty and Low as an Elastic risk score), so each scale is named after its source and a source
    /// maps its numbers with its own; labels ("high", "CRITICAL") mean the same everywhere.
    /// </summary>
    public static class AlertSeverityScale
    {
        /// <summary>
        /// A severity as text or number: labels ("high", "HIGH", "info"; "Sev 3" is not guessed), numbers as Elastic
        /// risk scores (the scale of the alerts this module has read so far and of a user typing a number).
        /// </summary>
        public static AlertSeverity Parse(object? value) => Parse(value, FromElasticRiskScore);

        /// <summary>A label, or a number on <paramref name="scale"/> (e.g. <see cref="FromGuardDuty"/> for a GuardDuty finding).</summary>
        public static AlertSeverity Parse(object? value, Func<double, AlertSeverity> scale)
        {
            switch (value)
            {
                case null: return AlertSeverity.Unknown;
                case AlertSeverity s: return s;
                case string text: return FromText(text, scale);
                case int i: return scale(i);
                case long l: return scale(l);
                case double d: return scale(d);
                case float f: return scale(f);
                case decimal m: return scale((double)m);
                default:
                    return FromText(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, scale);
            }
        }

        /// <summary>A label; a number in the text is read as an Elastic risk score.</summary>
        public static AlertSeverity FromText(string text) => FromText(text, FromElasticRiskScore);

        public static AlertSeverity FromText(string text, Func<double, AlertSeverity> scale)
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
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return scale(number);
            return AlertSeverity.Unknown;
        }

        /// <summary>
        /// An Elastic Security risk score, 0-100 (kibana.alert.risk_score, signal.rule.risk_score). Elastic's rule
        /// guidelines: 0-21 low, 22-47 medium, 48-73 high, 74-100 critical; the defaults Kibana gives each severity
        /// (21, 47, 73, 99) sit inside their bands. Above 100 stays critical (a rule's override can exceed the range).
        /// </summary>
        public static AlertSeverity FromElasticRiskScore(double score)
        {
            if (double.IsNaN(score) || score < 0) return AlertSeverity.Unknown;
            if (score <= 21) return AlertSeverity.Low;
            if (score <= 47) return AlertSeverity.Medium;
            if (score <= 73) return AlertSeverity.High;
            return AlertSeverity.Critical;
        }

        /// <summary>
        /// ASFF Severity.Normalized, 0-100 (deprecated by AWS in favour of Label, still filled in): 0 informational,
        /// 1-39 low, 40-69 medium, 70-89 high, 90-100 critical, the mapping Security Hub itself applies.
        /// </summary>
        public static AlertSeverity FromSecurityHubNormalized(double normalized)
        {
            if (double.IsNaN(normalized) || normalized < 0 || normalized > 100) return AlertSeverity.Unknown;
            if (normalized < 1) return AlertSeverity.Informational;
            if (normalized < 40) return AlertSeverity.Low;
            if (normalized < 70) return AlertSeverity.Medium;
            if (normalized < 90) return AlertSeverity.High;
            return AlertSeverity.Critical;
        }

        /// <summary>A Security Hub finding's severity: its Label (INFORMATIONAL ... CRITICAL) when present, else Normalized.</summary>
        public static AlertSeverity FromSecurityHub(string? label, double? normalized)
        {
            var fromLabel = label is null ? AlertSeverity.Unknown : FromText(label, _ => AlertSeverity.Unknown);
            if (fromLabel != AlertSeverity.Unknown || normalized is null) return fromLabel;
            return FromSecurityHubNormalized(normalized.Value);
        }

        /// <summary>
        /// A GuardDuty finding's severity, 1.0-10.0 (also ASFF Severity.Product of GuardDuty findings): 1.0-3.9 low,
        /// 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical (attack sequences). GuardDuty reserves 0; older findings
        /// start at 0.1, so anything below 4.0 is low.
        /// </summary>
        public static AlertSeverity FromGuardDuty(double severity)
        {
            if (double.IsNaN(severity) || severity < 0 || severity > 10) return AlertSeverity.Unknown;
            if (severity < 4) return AlertSeverity.Low;
            if (severity < 7) return AlertSeverity.Medium;
            if (severity < 9) return AlertSeverity.High;
            return AlertSeverity.Critical;
        }
    }
}
