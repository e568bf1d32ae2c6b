using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// How far a resumable source got: the newest alert time it delivered, and the alerts it delivered near that time
    /// (within the overlap), so the next run can look back for alerts indexed late without delivering the rest again.
    /// </summary>
    /// <remarks>
    /// Time alone is not enough: alerts of one rule run share one @timestamp, and a document indexed late carries an
    /// older time than ones already delivered. A run therefore reads from <c>Time - overlap</c> and skips the ids in
    /// <see cref="Recent"/>; an alert later than the overlap window is the one case it cannot see (the README says so).
    /// </remarks>
    public sealed class AlertWatermark
    {
        /// <summary>Ids kept at most; beyond that the oldest are dropped and the sinks' idempotence absorbs what repeats.</summary>
        public const int MaxRecent = 50_000;

        public AlertWatermark(DateTimeOffset? time, IReadOnlyDictionary<string, DateTimeOffset> recent)
        {
            Time = time;
            Recent = recent;
        }

        public static AlertWatermark Empty { get; } = new AlertWatermark(null, new Dictionary<string, DateTimeOffset>());

        /// <summary>The newest alert time delivered; null before the first run.</summary>
        public DateTimeOffset? Time { get; }

        /// <summary>The ids delivered within the overlap before <see cref="Time"/>, with their times.</summary>
        public IReadOnlyDictionary<string, DateTimeOffset> Recent { get; }

        public string ToJson()
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", 1);
                if (Time is DateTimeOffset time) writer.WriteString("time", Format(time));
                else writer.WriteNull("time");
                writer.WriteStartObject("recent");
                foreach (var pair in Recent.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)) writer.WriteString(pair.Key, Format(pair.Value));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        /// <summary>Reads a saved watermark; null or empty text is <see cref="Empty"/>.</summary>
        /// <exception cref="InvalidDataException">The text is not a watermark this module wrote; <paramref name="where"/> names it.</exception>
        public static AlertWatermark Parse(string? json, string where)
        {
            if (string.IsNullOrWhiteSpace(json)) return Empty;
            try
            {
                using var doc = JsonDocument.Parse(json!);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number)
                    throw new InvalidDataException($"The checkpoint {where} does not hold an alert watermark. Give another checkpoint, or delete this one to start from the beginning.");
                if (version.GetInt32() != 1)
                    throw new InvalidDataException($"The checkpoint {where} was written by a newer PSSocAutomation (watermark version {version.GetInt32()}). Update the module, or give another checkpoint.");
                DateTimeOffset? time = null;
                if (root.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String) time = ParseTime(t.GetString()!, where);
                var recent = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
                if (root.TryGetProperty("recent", out var r) && r.ValueKind == JsonValueKind.Object)
                    foreach (var pair in r.EnumerateObject())
                        if (pair.Value.ValueKind == JsonValueKind.String) recent[pair.Name] = ParseTime(pair.Value.GetString()!, where);
                return new AlertWatermark(time, recent);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The checkpoint {where} is not valid JSON ({ex.Message}). Delete it to start from the beginning.", ex);
            }
        }

        private static DateTimeOffset ParseTime(string text, string where) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : throw new InvalidDataException($"The checkpoint {where} holds '{text}', which is not a time. Delete it to start from the beginning.");

        private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// One run of a resumable source: where to start reading, which alerts to skip as already delivered, and the
    /// watermark to save if the run completes.
    /// </summary>
    public sealed class WatermarkRun
    {
        private readonly AlertWatermark _previous;
        private readonly Dictionary<string, DateTimeOffset> _delivered = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        private DateTimeOffset? _newest;

        public WatermarkRun(AlertWatermark previous, TimeSpan overlap)
        {
            if (overlap < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(overlap), "The overlap cannot be negative.");
            _previous = previous;
            Overlap = overlap;
            _newest = previous.Time;
        }

        public TimeSpan Overlap { get; }

        /// <summary>The earliest alert time this run reads: the watermark less the overlap; null on a first run (read from -Since, or everything).</summary>
        public DateTimeOffset? ReadFrom => _previous.Time - Overlap;

        /// <summary>Alerts this run skipped because an earlier run had delivered them.</summary>
        public long Skipped { get; private set; }

        /// <summary>Alerts this run delivered.</summary>
        public long Delivered { get; private set; }

        /// <summary>True for an alert an earlier run did not deliver (and this run has not); counts the ones skipped.</summary>
        public bool IsNew(string id)
        {
            if (_previous.Recent.ContainsKey(id) || _delivered.ContainsKey(id))
            {
                Skipped++;
                return false;
            }
            return true;
        }

        /// <summary>Records an alert as delivered downstream. One without a time is delivered but cannot move the watermark.</summary>
        public void MarkDelivered(string id, DateTimeOffset? time)
        {
            Delivered++;
            if (time is not DateTimeOffset t) return;
            _delivered[id] = t;
            if (_newest is null || t > _newest) _newest = t;
        }

        /// <summary>The watermark to save: the newest time seen, and every id (old or new) within the overlap before it.</summary>
        public AlertWatermark Next()
        {
            if (_delivered.Count == 0 || _newest is not DateTimeOffset newest) return _previous;
            var floor = newest - Overlap;
            var recent = _previous.Recent.Concat(_delivered)
                .Where(p => p.Value >= floor)
                .GroupBy(p => p.Key, StringComparer.Ordinal)
                .Select(g => g.First())
                .OrderByDescending(p => p.Value)
                .Take(AlertWatermark.MaxRecent)
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            return new AlertWatermark(newest, recent);
        }
    }
}
