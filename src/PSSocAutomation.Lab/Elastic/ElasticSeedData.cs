using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// Synthetic SIEM alerts for tests and benchmarks: about 300 bytes each, ECS-shaped (@timestamp, event.kind, rule,
/// host, source.ip, user), deterministic from their number so two runs hold the same data.
/// </summary>
internal static class ElasticSeedData
{
    private static readonly (string Rule, string Severity, int Risk)[] Rules =
    {
        ("Brute force login attempts", "high", 73),
        ("Suspicious PowerShell command line", "high", 70),
        ("Malware detected on endpoint", "critical", 99),
        ("Outbound connection to known C2 server", "critical", 91),
        ("Unusual login location", "medium", 47),
        ("Privilege escalation via sudo", "high", 68),
        ("Port scan from internal host", "low", 21),
        ("Disabled security tool", "medium", 55),
    };

    public static IEnumerable<(string? Id, byte[] Source)> Alerts(int count, DateTimeOffset start, TimeSpan step)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var (rule, severity, risk) = Rules[i % Rules.Length];
            var host = "host-" + (i * 7 % 500).ToString("D3", CultureInfo.InvariantCulture);
            var user = "user-" + (i * 13 % 200).ToString("D3", CultureInfo.InvariantCulture);
            var ip = $"10.{i % 4}.{i / 4 % 256}.{i * 31 % 254 + 1}";
            var alertId = "A-" + (i + 1).ToString("D7", CultureInfo.InvariantCulture);
            writer.WriteStartObject();
            writer.WriteString("@timestamp", ElasticDates.Format((start + step * i).ToUnixTimeMilliseconds()));
            writer.WriteString("alert_id", alertId);
            writer.WriteStartObject("event");
            writer.WriteString("kind", "alert");
            writer.WriteEndObject();
            writer.WriteStartObject("rule");
            writer.WriteString("name", rule);
            writer.WriteEndObject();
            writer.WriteString("severity", severity);
            writer.WriteNumber("risk_score", risk);
            writer.WriteStartObject("host");
            writer.WriteString("name", host);
            writer.WriteEndObject();
            writer.WriteStartObject("source");
            writer.WriteString("ip", ip);
            writer.WriteEndObject();
            writer.WriteStartObject("user");
            writer.WriteString("name", user);
            writer.WriteEndObject();
            writer.WriteString("message", $"{rule} on {host} by {user} ({alertId})");
            writer.WriteString("status", "open");
            writer.WriteEndObject();
            writer.Flush();
            yield return (null, buffer.WrittenSpan.ToArray());
        }
    }
}
