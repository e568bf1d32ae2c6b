using System.Buffers;
using System.Globalization;
using System.Text.Json;
using PSSocAutomation.Lab.Elastic;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// Synthetic detection alerts shaped as Kibana writes them: alerts-as-data documents (8.x) with top-level dotted
/// kibana.* keys and nested ECS copies of the source event, and 7.x signals with a nested signal object. Everything
/// is deterministic from the alert's number and space, so ids are known before seeding and two runs hold the same data.
/// </summary>
internal static class KibanaSeedData
{
    private sealed record Rule(string Name, string RuleId, string Uuid, string Severity, int Risk, string Process, string Action, string Category);

    private static readonly Rule[] Rules =
    {
        new("Suspicious PowerShell", "b7a3c1d2-0001-4e5f-9a1b-000000000001", "5d1f0a2e-1c3b-4d5e-8f60-a1b2c3d4e501", "high", 73, "powershell.exe", "start", "process"),
        new("Credential Dumping via LSASS Access", "b7a3c1d2-0002-4e5f-9a1b-000000000002", "5d1f0a2e-1c3b-4d5e-8f60-a1b2c3d4e502", "critical", 99, "rundll32.exe", "access", "process"),
        new("Unusual Network Connection to C2", "b7a3c1d2-0003-4e5f-9a1b-000000000003", "5d1f0a2e-1c3b-4d5e-8f60-a1b2c3d4e503", "critical", 91, "svchost.exe", "connection_attempted", "network"),
        new("Multiple Failed Logins", "b7a3c1d2-0004-4e5f-9a1b-000000000004", "5d1f0a2e-1c3b-4d5e-8f60-a1b2c3d4e504", "medium", 47, "sshd", "logon-failed", "authentication"),
        new("Port Scan from Internal Host", "b7a3c1d2-0005-4e5f-9a1b-000000000005", "5d1f0a2e-1c3b-4d5e-8f60-a1b2c3d4e505", "low", 21, "nmap", "connection_attempted", "network"),
        new("Ransomware File Rename", "b7a3c1d2-0006-4e5f-9a1b-000000000006", "5d1f0a2e-1c3b-4d5e-8f60-a1b2c3d4e506", "high", 68, "explorer.exe", "rename", "file"),
    };

    /// <summary>UUID-shaped, from the space (so two spaces never share an id) and the alert's number; sorts by number.</summary>
    public static string AlertId(string space, long number) =>
        string.Create(CultureInfo.InvariantCulture, $"{SpaceHash(space):x8}-0000-4000-8000-{number:x12}");

    /// <summary>7.x signal ids were 64 hex characters.</summary>
    public static string LegacyId(string space, long number) =>
        string.Create(CultureInfo.InvariantCulture, $"{SpaceHash(space):x8}{number:x56}");

    private static uint SpaceHash(string space)
    {
        // FNV-1a: stable across runs and processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in space) hash = (hash ^ c) * 16777619u;
        return hash;
    }

    public static IEnumerable<(string? Id, byte[] Source)> Alerts(string space, long first, int count, DateTimeOffset start, TimeSpan step,
        string status, int sameTimestampGroup)
    {
        var buffer = new ArrayBufferWriter<byte>(1536);
        using var writer = new Utf8JsonWriter(buffer);
        var group = Math.Max(1, sameTimestampGroup);
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var n = first + i;
            var id = AlertId(space, n);
            var rule = Rules[n % Rules.Length];
            var host = Host(n);
            var user = User(n);
            // One rule run writes its alerts with one @timestamp: groups of sameTimestampGroup share it.
            var timestamp = start + step * (i / group);
            writer.WriteStartObject();
            writer.WriteString("@timestamp", ElasticDates.Format(timestamp.ToUnixTimeMilliseconds()));
            writer.WriteString("kibana.alert.uuid", id);
            writer.WriteString("kibana.alert.rule.name", rule.Name);
            writer.WriteString("kibana.alert.rule.uuid", rule.Uuid);
            writer.WriteString("kibana.alert.rule.rule_id", rule.RuleId);
            writer.WriteString("kibana.alert.rule.category", "Custom Query Rule");
            writer.WriteString("kibana.alert.severity", rule.Severity);
            writer.WriteNumber("kibana.alert.risk_score", rule.Risk);
            writer.WriteString("kibana.alert.reason",
                $"{rule.Category} event with process {rule.Process}, by {user} on {host} created {rule.Severity} alert {rule.Name}.");
            writer.WriteString("kibana.alert.original_time", ElasticDates.Format((timestamp - TimeSpan.FromSeconds(30 + n % 90)).ToUnixTimeMilliseconds()));
            writer.WriteString("kibana.alert.workflow_status", status);
            writer.WriteString("kibana.alert.status", "active");
            writer.WriteStartArray("kibana.space_ids");
            writer.WriteStringValue(space);
            writer.WriteEndArray();
            writer.WriteNumber("kibana.alert.depth", 1);
            if (n % 10 == 9) writer.WriteString("kibana.alert.building_block_type", "default");
            WriteEcs(writer, n, rule, host, user, "signal");
            writer.WriteEndObject();
            writer.Flush();
            yield return (id, buffer.WrittenSpan.ToArray());
        }
    }

    public static IEnumerable<(string? Id, byte[] Source)> LegacySignals(string space, long first, int count, DateTimeOffset start, TimeSpan step, string status)
    {
        var buffer = new ArrayBufferWriter<byte>(1536);
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var n = first + i;
            var rule = Rules[n % Rules.Length];
            var host = Host(n);
            var user = User(n);
            var timestamp = start + step * i;
            writer.WriteStartObject();
            writer.WriteString("@timestamp", ElasticDates.Format(timestamp.ToUnixTimeMilliseconds()));
            writer.WriteStartObject("signal");
            writer.WriteString("status", status);
            writer.WriteString("original_time", ElasticDates.Format((timestamp - TimeSpan.FromSeconds(30)).ToUnixTimeMilliseconds()));
            writer.WriteString("reason", $"{rule.Category} event with process {rule.Process}, by {user} on {host} created {rule.Severity} alert {rule.Name}.");
            writer.WriteNumber("depth", 1);
            writer.WriteStartObject("rule");
            writer.WriteString("id", rule.Uuid);
            writer.WriteString("rule_id", rule.RuleId);
            writer.WriteString("name", rule.Name);
            writer.WriteString("severity", rule.Severity);
            writer.WriteNumber("risk_score", rule.Risk);
            writer.WriteEndObject();
            writer.WriteEndObject();
            WriteEcs(writer, n, rule, host, user, "signal");
            writer.WriteEndObject();
            writer.Flush();
            yield return (LegacyId(space, n), buffer.WrittenSpan.ToArray());
        }
    }

    private static string Host(long n) => "host-" + (n * 7 % 500).ToString("D3", CultureInfo.InvariantCulture);
    private static string User(long n) => "user-" + (n * 13 % 200).ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>The ECS fields a query rule copies from its source event, nested as the event had them.</summary>
    private static void WriteEcs(Utf8JsonWriter writer, long n, Rule rule, string host, string user, string kind)
    {
        writer.WriteStartObject("event");
        writer.WriteString("kind", kind);
        writer.WriteString("action", rule.Action);
        writer.WriteString("category", rule.Category);
        writer.WriteEndObject();
        writer.WriteStartObject("host");
        writer.WriteString("name", host);
        writer.WriteStartArray("ip");
        writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"10.{n % 4}.{n / 4 % 256}.{n * 31 % 254 + 1}"));
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteStartObject("user");
        writer.WriteString("name", user);
        writer.WriteEndObject();
        writer.WriteStartObject("source");
        writer.WriteString("ip", string.Create(CultureInfo.InvariantCulture, $"192.168.{n % 200}.{n * 17 % 254 + 1}"));
        writer.WriteEndObject();
        writer.WriteStartObject("destination");
        writer.WriteString("ip", string.Create(CultureInfo.InvariantCulture, $"203.0.113.{n % 254 + 1}"));
        writer.WriteEndObject();
        writer.WriteStartObject("process");
        writer.WriteString("name", rule.Process);
        writer.WriteNumber("pid", 1000 + n % 30000);
        writer.WriteEndObject();
        writer.WriteStartObject("file");
        writer.WriteStartObject("hash");
        writer.WriteString("sha256", string.Create(CultureInfo.InvariantCulture, $"{n:x16}{n * 31:x16}{n * 131:x16}{n * 1031:x16}"));
        writer.WriteString("md5", string.Create(CultureInfo.InvariantCulture, $"{n:x16}{n * 7:x16}"));
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteString("message", $"{rule.Name} on {host} by {user}");
    }
}
