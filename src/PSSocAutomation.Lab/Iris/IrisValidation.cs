using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PSSocAutomation.Lab.Iris;

internal enum FieldType { String, Integer, DateTime, Raw, Boolean }

/// <summary>One marshmallow field as IRIS's schemas declare it (Length(min, max), required, allow_none).</summary>
internal sealed record Field(string Name, FieldType Type, bool Required = false, bool Nullable = true, int? Min = null, int? Max = null);

/// <summary>The loaded values of one object: field name → string, long, DateTime, JsonElement? or bool (null when sent as null).</summary>
internal sealed class Loaded : Dictionary<string, object?>
{
    public string? Str(string name) => TryGetValue(name, out var v) ? v as string : null;
    public long? Long(string name) => TryGetValue(name, out var v) && v is long l ? l : null;
    public int? Int(string name) => Long(name) is long l ? (int)Math.Clamp(l, int.MinValue, int.MaxValue) : null;
    public DateTime? Time(string name) => TryGetValue(name, out var v) && v is DateTime t ? t : null;
    public JsonElement? Raw(string name) => TryGetValue(name, out var v) && v is JsonElement e ? e : null;
    public bool Has(string name) => ContainsKey(name);
}

/// <summary>Values an IOC object carries once IocSchema has loaded it.</summary>
internal sealed record IocInput(string Value, int? TypeId, int? TlpId, string? Description, string? Tags, JsonElement? Enrichment, JsonElement? CustomAttributes);

/// <summary>Values an asset object carries once CaseAssetsSchema has loaded it.</summary>
internal sealed record AssetInput(
    string Name, int TypeId, string? Description, string? Ip, string? Domain, string? Info, string? Tags, JsonElement? Enrichment,
    int? AnalysisStatusId, int? CompromiseStatusId, JsonElement? CustomAttributes, IReadOnlyList<int> IocLinks);

/// <summary>
/// marshmallow's load as IRIS uses it: unknown keys dropped (EXCLUDE), pre_load hooks that abort the whole load,
/// then field-by-field checks that collect every error. Messages are marshmallow's own.
/// </summary>
internal static partial class IrisValidation
{
    public const string Missing = "Missing data for required field.";
    public const string NotNull = "Field may not be null.";

    public static Loaded Load(JsonObject data, IEnumerable<Field> fields, IrisErrors errors, bool partial = false)
    {
        var loaded = new Loaded();
        foreach (var field in fields)
        {
            if (!data.TryGetPropertyValue(field.Name, out var node))
            {
                if (field.Required && !partial) errors.Add(field.Name, Missing);
                continue;
            }
            if (node is null || Py.Kind(node) == PyKind.None)
            {
                if (!field.Nullable) errors.Add(field.Name, NotNull);
                else loaded[field.Name] = null;
                continue;
            }
            var error = Convert(field, node, out var value);
            if (error is null) error = CheckLength(field, value);
            if (error is null) loaded[field.Name] = value;
            else errors.Add(field.Name, error);
        }
        return loaded;
    }

    private static string? Convert(Field field, JsonNode node, out object? value)
    {
        value = null;
        switch (field.Type)
        {
            case FieldType.String:
                if (Py.Kind(node) != PyKind.Str) return "Not a valid string.";
                value = Py.Str(node);
                return null;
            case FieldType.Integer:
                // fields.Integer(strict=False): int(value), so "42" and 4.9 load, True/False do not.
                if (Py.Kind(node) is PyKind.Bool or PyKind.List or PyKind.Dict || Py.IntOf(node) is not long l) return "Not a valid integer.";
                value = l;
                return null;
            case FieldType.DateTime:
                if (Py.Kind(node) != PyKind.Str || ParseDateTime(Py.Str(node)!) is not DateTime t) return "Not a valid datetime.";
                value = t;
                return null;
            case FieldType.Boolean:
                var b = Boolean(node);
                if (b is null) return "Not a valid boolean.";
                value = b.Value;
                return null;
            default:
                value = Py.Element(node).Clone();
                return null;
        }
    }

    private static string? CheckLength(Field field, object? value)
    {
        if (value is not string s || (field.Min is null && field.Max is null)) return null;
        if (field.Min is int min && field.Max is int max)
            return s.Length < min || s.Length > max ? $"Length must be between {min} and {max}." : null;
        if (field.Min is int lo && s.Length < lo) return $"Shorter than minimum length {lo}.";
        if (field.Max is int hi && s.Length > hi) return $"Longer than maximum length {hi}.";
        return null;
    }

    private static bool? Boolean(JsonNode node) => Py.Kind(node) switch
    {
        PyKind.Bool => Py.Element(node).GetBoolean(),
        PyKind.Int => Py.IntOf(node) switch { 1 => true, 0 => false, _ => null },
        PyKind.Str => Py.Str(node)!.ToLowerInvariant() switch
        {
            "t" or "true" or "on" or "y" or "yes" or "1" => true,
            "f" or "false" or "off" or "n" or "no" or "0" => false,
            _ => null,
        },
        _ => null,
    };

    /// <summary>
    /// marshmallow's ISO datetime regex: T or space, optional seconds and fraction, optional Z/±hh:mm. PostgreSQL then
    /// stores it in a timestamp-without-time-zone column, which drops any offset rather than converting.
    /// </summary>
    public static DateTime? ParseDateTime(string text)
    {
        var m = IsoDateTime().Match(text);
        if (!m.Success) return null;
        int G(string name) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var fraction = m.Groups["f"].Success ? m.Groups["f"].Value.PadRight(6, '0')[..6] : "0";
        try
        {
            return new DateTime(G("y"), G("mo"), G("d"), G("h"), G("mi"), G("s"), DateTimeKind.Unspecified)
                .AddTicks(int.Parse(fraction, CultureInfo.InvariantCulture) * 10L);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{1,2})-(?<d>\d{1,2})[T ](?<h>\d{1,2}):(?<mi>\d{1,2})(?::(?<s>\d{1,2})(?:\.(?<f>\d{1,6})\d{0,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")]
    private static partial Regex IsoDateTime();

    // ---- assert_type_mml: IRIS's own type check inside pre_load hooks ----

    /// <summary>
    /// assert_type_mml(value, int): None is refused unless allowed; anything Python's int() accepts passes (so "5" does).
    /// </summary>
    public static void AssertInt(JsonNode? node, string field, bool allowNone = false, long? maxValue = null)
    {
        var kind = Py.Kind(node);
        if (kind == PyKind.None)
        {
            if (allowNone) return;
            throw new IrisValidationException(IrisErrors.Of(field, "Invalid data - non null expected"));
        }
        if (kind is PyKind.Int or PyKind.Bool)
        {
            if (maxValue is long max && Py.IntOf(node) > max)
                throw new IrisValidationException(IrisErrors.Of(field, "Invalid data - max value exceeded"));
            return;
        }
        if (Py.IntOf(node) is null) throw new IrisValidationException(IrisErrors.Of(field, "Invalid data type"));
    }

    public static void AssertDict(JsonNode? node, string field, bool allowNone = true)
    {
        var kind = Py.Kind(node);
        if (kind == PyKind.Dict || (kind == PyKind.None && allowNone)) return;
        throw new IrisValidationException(IrisErrors.Of(field, kind == PyKind.None ? "Invalid data - non null expected" : "Invalid data type"));
    }

    /// <summary>The `.split(',')` every tag hook does without checking the type first.</summary>
    public static void SplitTags(JsonObject data, string field)
    {
        if (data.TryGetPropertyValue(field, out var tags) && Py.Truthy(tags) && Py.Kind(tags) != PyKind.Str)
            throw new IrisPythonException(Py.NoSplit(tags));
    }

    private static JsonObject AsDict(JsonNode? item) =>
        item as JsonObject ?? throw new IrisPythonException($"'{Py.TypeName(item)}' object has no attribute 'get'");

    // ---- IocSchema ----

    private static readonly Field[] IocFields =
    [
        new("ioc_value", FieldType.String, Required: true, Nullable: false, Min: 1),
        new("ioc_type_id", FieldType.Integer),
        new("ioc_tlp_id", FieldType.Integer),
        new("ioc_description", FieldType.String),
        new("ioc_tags", FieldType.String),
        new("ioc_enrichment", FieldType.Raw),
        new("custom_attributes", FieldType.Raw),
    ];

    public static IocInput LoadIoc(JsonNode? item)
    {
        var data = AsDict(item);
        IocPreLoad(data);
        var errors = new IrisErrors();
        var loaded = Load(data, IocFields, errors);
        if (errors.Any) throw new IrisValidationException(errors);
        return ToIoc(loaded);
    }

    /// <summary>IocSchema(many=True): a pre_load failure aborts with plain field keys; field errors are keyed by index.</summary>
    public static List<IocInput> LoadIocs(JsonNode? list)
    {
        if (list is not JsonArray items) throw new IrisValidationException(IrisErrors.Of("_schema", "Invalid input type."));
        foreach (var item in items) IocPreLoad(AsDict(item));
        var errors = new IrisErrors();
        var result = new List<IocInput>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemErrors = new IrisErrors();
            var loaded = Load((JsonObject)items[i]!, IocFields, itemErrors);
            if (itemErrors.Any) errors.Nest(i, itemErrors);
            else result.Add(ToIoc(loaded));
        }
        if (errors.Any) throw new IrisValidationException(errors);
        return result;
    }

    private static void IocPreLoad(JsonObject data)
    {
        data.TryGetPropertyValue("ioc_type_id", out var typeNode);
        if (Py.Truthy(typeNode))
        {
            AssertInt(typeNode, "ioc_type_id");
            var type = IrisLookups.IocType(Py.SqlInt(typeNode));
            if (type is null) throw new IrisValidationException(IrisErrors.Of("ioc_type_id", "Invalid IOC type ID"));
            if (type.Regex is not null)
            {
                data.TryGetPropertyValue("ioc_value", out var valueNode);
                var value = Py.Str(valueNode) ?? throw new IrisPythonException($"expected string or bytes-like object, got '{Py.TypeName(valueNode)}'");
                if (!Regex.IsMatch(value, @"\A(?:" + type.Regex + @")\z", RegexOptions.IgnoreCase))
                    throw new IrisValidationException(IrisErrors.Of("ioc_ioc_value",
                        $"The input doesn't match the expected format (expected: {type.Expect ?? type.Regex})"));
            }
        }
        data.TryGetPropertyValue("ioc_tlp_id", out var tlpNode);
        if (Py.Truthy(tlpNode)) AssertInt(tlpNode, "ioc_tlp_id", maxValue: int.MaxValue);
        SplitTags(data, "ioc_tags");
    }

    private static IocInput ToIoc(Loaded l) => new(
        l.Str("ioc_value")!, l.Int("ioc_type_id"), l.Int("ioc_tlp_id"), l.Str("ioc_description"), l.Str("ioc_tags"),
        l.Raw("ioc_enrichment"), l.Raw("custom_attributes"));

    // ---- CaseAssetsSchema ----

    private static readonly Field[] AssetFields =
    [
        new("asset_name", FieldType.String, Required: true, Nullable: false),
        new("asset_description", FieldType.String),
        new("asset_type_id", FieldType.Integer),
        new("asset_ip", FieldType.String),
        new("asset_domain", FieldType.String),
        new("asset_info", FieldType.String),
        new("asset_tags", FieldType.String),
        new("asset_enrichment", FieldType.Raw),
        new("analysis_status_id", FieldType.Integer),
        new("asset_compromise_status_id", FieldType.Integer),
        new("custom_attributes", FieldType.Raw),
    ];

    public static AssetInput LoadAsset(JsonNode? item)
    {
        var data = AsDict(item);
        AssetPreLoad(data);
        var errors = new IrisErrors();
        var loaded = Load(data, AssetFields, errors);
        var links = IocLinks(data, errors);
        if (errors.Any) throw new IrisValidationException(errors);
        return ToAsset(loaded, links);
    }

    public static List<AssetInput> LoadAssets(JsonNode? list)
    {
        if (list is not JsonArray items) throw new IrisValidationException(IrisErrors.Of("_schema", "Invalid input type."));
        foreach (var item in items) AssetPreLoad(AsDict(item));
        var errors = new IrisErrors();
        var result = new List<AssetInput>();
        for (var i = 0; i < items.Count; i++)
        {
            var itemErrors = new IrisErrors();
            var data = (JsonObject)items[i]!;
            var loaded = Load(data, AssetFields, itemErrors);
            var links = IocLinks(data, itemErrors);
            if (itemErrors.Any) errors.Nest(i, itemErrors);
            else result.Add(ToAsset(loaded, links));
        }
        if (errors.Any) throw new IrisValidationException(errors);
        return result;
    }

    private static void AssetPreLoad(JsonObject data)
    {
        data.TryGetPropertyValue("asset_type_id", out var typeNode);
        AssertInt(typeNode, "asset_type_id");
        if (IrisLookups.AssetType(Py.SqlInt(typeNode)) is null)
            throw new IrisValidationException(IrisErrors.Of("asset_type_id", "Invalid asset type ID"));

        data.TryGetPropertyValue("analysis_status_id", out var statusNode);
        AssertInt(statusNode, "analysis_status_id", allowNone: true);
        if (Py.Truthy(statusNode) && IrisLookups.AnalysisStatus(Py.SqlInt(statusNode)) is null)
            throw new IrisValidationException(IrisErrors.Of("analysis_status_id", "Invalid analysis status ID"));

        SplitTags(data, "asset_tags");
    }

    private static List<int> IocLinks(JsonObject data, IrisErrors errors)
    {
        var links = new List<int>();
        if (!data.TryGetPropertyValue("ioc_links", out var node) || node is null) return links;
        if (node is not JsonArray array)
        {
            errors.Add("ioc_links", "Not a valid list.");
            return links;
        }
        foreach (var item in array)
        {
            if (Py.Kind(item) is PyKind.Bool or PyKind.List or PyKind.Dict || Py.IntOf(item) is not long id) errors.Add("ioc_links", "Not a valid integer.");
            else links.Add((int)id);
        }
        return links;
    }

    private static AssetInput ToAsset(Loaded l, IReadOnlyList<int> links) => new(
        l.Str("asset_name")!, l.Int("asset_type_id") ?? 0, l.Str("asset_description"), l.Str("asset_ip"), l.Str("asset_domain"),
        l.Str("asset_info"), l.Str("asset_tags"), l.Raw("asset_enrichment"), l.Int("analysis_status_id"),
        l.Int("asset_compromise_status_id"), l.Raw("custom_attributes"), links);

    /// <summary>
    /// What SQLAlchemy's IntegrityError reads like when a foreign key points nowhere: IRIS hands str(e) to alert clients.
    /// </summary>
    public static IrisPythonException ForeignKey(string table, string column, object value, string referenced) => new(
        $"(psycopg2.errors.ForeignKeyViolation) insert or update on table \"{table}\" violates foreign key constraint \"{table}_{column}_fkey\"\n" +
        $"DETAIL:  Key ({column})=({value}) is not present in table \"{referenced}\".\n\n" +
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)");
}
