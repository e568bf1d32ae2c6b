using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// AwsSecurityFindingFilters compiled into one predicate, with the rules of the SH model: fields are AND-ed; on one
/// string field EQUALS/PREFIX/CONTAINS are OR-ed and NOT_EQUALS/PREFIX_NOT_EQUALS/NOT_CONTAINS AND-ed (the positive ones
/// first), comparisons are case-sensitive, and CONTAINS with NOT_CONTAINS or EQUALS with a negative equality on one
/// field is refused. Up to 10 fields, up to 20 values each.
/// </summary>
internal static class SecurityHubFilters
{
    public const int MaxFields = 10;
    public const int MaxValuesPerField = 20;

    private static readonly string[] StringComparisons = ["EQUALS", "PREFIX", "NOT_EQUALS", "PREFIX_NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"];
    private static readonly string[] MapComparisons = ["EQUALS", "NOT_EQUALS", "CONTAINS", "NOT_CONTAINS"];

    public static Func<JsonObject, bool> Compile(JsonNode? filters, DateTimeOffset now)
    {
        if (filters is null) return _ => true;
        if (filters is not JsonObject members) throw new SecurityHubInputException("Filters must be an object.", "SerializationException");
        var predicates = new List<Func<JsonObject, bool>>();
        var used = 0;
        foreach (var (name, node) in members)
        {
            if (node is null) continue;
            if (!SecurityHubFilterFields.Emulated.TryGetValue(name, out var field))
            {
                if (SecurityHubFilterFields.NotEmulated.Contains(name))
                    throw new SecurityHubInputException($"The filter field {name} is not emulated by the PSSocAutomation Lab");
                // The service's deserializer refuses a member AwsSecurityFindingFilters does not have.
                throw new SecurityHubInputException($"Unrecognized filter field: {name}", "SerializationException");
            }
            if (node is not JsonArray values) throw new SecurityHubInputException($"Filters.{name} must be a list.", "SerializationException");
            if (values.Count == 0) continue;
            if (++used > MaxFields)
                throw new SecurityHubInputException($"Filters can use at most {MaxFields} finding attributes.");
            if (values.Count > MaxValuesPerField)
                throw new SecurityHubInputException($"Filters.{name} can have at most {MaxValuesPerField} values.");
            var objects = values.Select(v => v as JsonObject ?? throw new SecurityHubInputException($"Filters.{name} entries must be objects.", "SerializationException")).ToList();
            predicates.Add(field.Kind switch
            {
                FilterKind.String => StringPredicate(name, objects, field),
                FilterKind.Map => MapPredicate(name, objects, field),
                FilterKind.Date => DatePredicate(name, objects, field, now),
                FilterKind.Number => NumberPredicate(name, objects, field),
                _ => BooleanPredicate(name, objects, field),
            });
        }
        return finding => predicates.All(p => p(finding));
    }

    private static Func<JsonObject, bool> StringPredicate(string name, List<JsonObject> filters, SecurityHubFilterFields.Field field)
    {
        var parsed = filters.Select(f => (Value: RequiredString(f, "Value", name), Comparison: Comparison(f, name, StringComparisons))).ToList();
        CheckMixes(name, parsed.Select(p => p.Comparison).ToList());
        return finding => Combine(field.Values(finding).Select(SecurityHubFilterFields.Text).OfType<string>().ToList(), parsed);
    }

    private static Func<JsonObject, bool> MapPredicate(string name, List<JsonObject> filters, SecurityHubFilterFields.Field field)
    {
        var parsed = filters.Select(f => (Key: RequiredString(f, "Key", name), Value: RequiredString(f, "Value", name), Comparison: Comparison(f, name, MapComparisons))).ToList();
        CheckMixes(name, parsed.Select(p => p.Comparison).ToList());
        return finding =>
        {
            var maps = field.Values(finding).OfType<JsonObject>().ToList();
            // Each key is its own value set; a finding passes when every key's filters pass.
            return parsed.GroupBy(p => p.Key).All(group =>
                Combine(maps.Select(m => SecurityHubFilterFields.Text(m[group.Key])).OfType<string>().ToList(),
                    group.Select(g => (g.Value, g.Comparison)).ToList()));
        };
    }

    /// <summary>
    /// The positive comparisons OR-ed (any value matching any of them), then every negative one AND-ed (no value
    /// matching what it excludes). No positive comparison means the positive part passes.
    /// </summary>
    private static bool Combine(List<string> values, List<(string Value, string Comparison)> filters)
    {
        var positive = filters.Where(f => !f.Comparison.StartsWith("NOT_", StringComparison.Ordinal) && f.Comparison != "PREFIX_NOT_EQUALS").ToList();
        if (positive.Count > 0 && !values.Any(v => positive.Any(f => Matches(v, f.Value, f.Comparison)))) return false;
        foreach (var (value, comparison) in filters.Except(positive))
        {
            var excluded = comparison switch
            {
                "NOT_EQUALS" => "EQUALS",
                "PREFIX_NOT_EQUALS" => "PREFIX",
                _ => "CONTAINS",
            };
            if (values.Any(v => Matches(v, value, excluded))) return false;
        }
        return true;
    }

    private static bool Matches(string actual, string wanted, string comparison) => comparison switch
    {
        "EQUALS" => string.Equals(actual, wanted, StringComparison.Ordinal),
        "PREFIX" => actual.StartsWith(wanted, StringComparison.Ordinal),
        _ => actual.Contains(wanted, StringComparison.Ordinal),
    };

    private static void CheckMixes(string name, List<string> comparisons)
    {
        bool Has(string c) => comparisons.Contains(c);
        if (Has("CONTAINS") && Has("NOT_CONTAINS"))
            throw new SecurityHubInputException($"Filters.{name} cannot combine CONTAINS and NOT_CONTAINS on the same field.");
        if (Has("EQUALS") && (Has("NOT_EQUALS") || Has("PREFIX_NOT_EQUALS")))
            throw new SecurityHubInputException($"Filters.{name} cannot combine EQUALS with NOT_EQUALS or PREFIX_NOT_EQUALS on the same field.");
    }

    private static string Comparison(JsonObject filter, string name, string[] allowed)
    {
        var comparison = RequiredString(filter, "Comparison", name);
        if (comparison == "CONTAINS_WORD")
            throw new SecurityHubInputException($"Filters.{name}: CONTAINS_WORD is only supported by the V2 APIs (GetFindingsV2).");
        if (!allowed.Contains(comparison))
            throw new SecurityHubInputException($"Filters.{name}: Comparison must be one of {string.Join(", ", allowed)}; got '{comparison}'.");
        return comparison;
    }

    private static string RequiredString(JsonObject filter, string member, string name) =>
        filter[member] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new SecurityHubInputException($"Filters.{name}: {member} is required and must be a string.");

    private static Func<JsonObject, bool> DatePredicate(string name, List<JsonObject> filters, SecurityHubFilterFields.Field field, DateTimeOffset now)
    {
        var ranges = filters.Select(f =>
        {
            if (f["DateRange"] is JsonObject range)
            {
                var days = range["Value"] is JsonValue d && d.TryGetValue<int>(out var n) ? n
                    : throw new SecurityHubInputException($"Filters.{name}: DateRange.Value must be an integer.");
                if ((string?)range["Unit"] is { } unit && unit != "DAYS")
                    throw new SecurityHubInputException($"Filters.{name}: DateRange.Unit must be DAYS.");
                var cut = now - TimeSpan.FromDays(days);
                return ((string?)range["Comparison"] ?? "WITHIN") switch
                {
                    "WITHIN" => (From: cut, To: DateTimeOffset.MaxValue),
                    "OLDER_THAN" => (From: DateTimeOffset.MinValue, To: cut.AddTicks(-1)),
                    var other => throw new SecurityHubInputException($"Filters.{name}: DateRange.Comparison must be WITHIN or OLDER_THAN; got '{other}'."),
                };
            }
            var start = OptionalDate(f, "Start", name);
            var end = OptionalDate(f, "End", name);
            if (start is null && end is null) throw new SecurityHubInputException($"Filters.{name}: a DateFilter needs Start and End, or DateRange.");
            return (From: start ?? DateTimeOffset.MinValue, To: end ?? DateTimeOffset.MaxValue);
        }).ToList();
        return finding => field.Values(finding).Select(v => ParseDate(SecurityHubFilterFields.Text(v))).OfType<DateTimeOffset>()
            .Any(t => ranges.Any(r => t >= r.From && t <= r.To));
    }

    private static DateTimeOffset? OptionalDate(JsonObject filter, string member, string name)
    {
        if (filter[member] is null) return null;
        return ParseDate((string?)filter[member]) ?? throw new SecurityHubInputException($"Filters.{name}: {member} is not a valid timestamp.");
    }

    public static DateTimeOffset? ParseDate(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;

    private static Func<JsonObject, bool> NumberPredicate(string name, List<JsonObject> filters, SecurityHubFilterFields.Field field)
    {
        var bounds = filters.Select(f =>
        {
            double? Get(string member) => SecurityHubFilterFields.Number(f[member])
                ?? (f[member] is null ? null : throw new SecurityHubInputException($"Filters.{name}: {member} must be a number."));
            return (Gte: Get("Gte"), Lte: Get("Lte"), Eq: Get("Eq"), Gt: Get("Gt"), Lt: Get("Lt"));
        }).ToList();
        return finding => field.Values(finding).Select(SecurityHubFilterFields.Number).OfType<double>()
            .Any(x => bounds.Any(b => (b.Gte is null || x >= b.Gte) && (b.Lte is null || x <= b.Lte) && (b.Eq is null || x == b.Eq)
                && (b.Gt is null || x > b.Gt) && (b.Lt is null || x < b.Lt)));
    }

    private static Func<JsonObject, bool> BooleanPredicate(string name, List<JsonObject> filters, SecurityHubFilterFields.Field field)
    {
        var wanted = filters.Select(f => f["Value"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b
            : throw new SecurityHubInputException($"Filters.{name}: Value must be a boolean.")).ToList();
        // A finding without the member counts as false (Sample is absent on real findings).
        return finding =>
        {
            var actual = field.Values(finding).FirstOrDefault() is JsonValue v && v.TryGetValue<bool>(out var b) && b;
            return wanted.Contains(actual);
        };
    }
}
