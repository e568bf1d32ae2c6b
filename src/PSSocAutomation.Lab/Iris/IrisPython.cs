using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>The JSON kinds as Python sees them after json.loads: IRIS's behaviour depends on int vs float vs bool.</summary>
internal enum PyKind { None, Bool, Int, Float, Str, List, Dict }

/// <summary>
/// The bits of CPython semantics IRIS leaks through its API: repr() of error dicts (alert errors are str(dict)),
/// truthiness, int() coercion, AttributeError texts, and datetime.isoformat().
/// </summary>
internal static class Py
{
    public static PyKind Kind(JsonNode? node)
    {
        switch (node)
        {
            case null: return PyKind.None;
            case JsonObject: return PyKind.Dict;
            case JsonArray: return PyKind.List;
        }
        var element = Element(node);
        return element.ValueKind switch
        {
            JsonValueKind.String => PyKind.Str,
            JsonValueKind.True or JsonValueKind.False => PyKind.Bool,
            JsonValueKind.Number => element.TryGetInt64(out _) ? PyKind.Int : PyKind.Float,
            JsonValueKind.Null => PyKind.None,
            _ => PyKind.None,
        };
    }

    /// <summary>Parsed values wrap a JsonElement already; values built in code are converted once.</summary>
    public static JsonElement Element(JsonNode node) =>
        node is JsonValue v && v.TryGetValue(out JsonElement e) ? e : JsonSerializer.SerializeToElement(node);

    public static string TypeName(JsonNode? node) => Kind(node) switch
    {
        PyKind.None => "NoneType",
        PyKind.Bool => "bool",
        PyKind.Int => "int",
        PyKind.Float => "float",
        PyKind.Str => "str",
        PyKind.List => "list",
        _ => "dict",
    };

    public static bool Truthy(JsonNode? node)
    {
        switch (Kind(node))
        {
            case PyKind.None: return false;
            case PyKind.Dict: return ((JsonObject)node!).Count > 0;
            case PyKind.List: return ((JsonArray)node!).Count > 0;
            case PyKind.Str: return Element(node!).GetString()!.Length > 0;
            case PyKind.Bool: return Element(node!).GetBoolean();
            default: return Element(node!).GetDouble() != 0;
        }
    }

    public static string? Str(JsonNode? node) => Kind(node) == PyKind.Str ? Element(node!).GetString() : null;

    /// <summary>What Python's int(x) gives, or null where it raises (lists, dicts, None, non-numeric strings).</summary>
    public static long? IntOf(JsonNode? node)
    {
        switch (Kind(node))
        {
            case PyKind.Int: return Element(node!).GetInt64();
            case PyKind.Bool: return Element(node!).GetBoolean() ? 1 : 0;
            case PyKind.Float:
                var d = Element(node!).GetDouble();
                return double.IsFinite(d) && Math.Abs(d) < 9.2e18 ? (long)Math.Truncate(d) : null;
            case PyKind.Str: return ParseInt(Str(node)!);
            default: return null;
        }
    }

    /// <summary>int("  42 ") works in Python, int("4.2") and int("") do not.</summary>
    public static long? ParseInt(string text)
    {
        var t = text.Trim().Replace("_", string.Empty);
        return t.Length > 0 && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>Flask's request.args.get(name, type=int): a value int() rejects is treated as absent.</summary>
    public static long? QueryInt(string? text) => text is null ? null : ParseInt(text);

    /// <summary>The text of the AttributeError that `value.split(',')` raises on a non-string.</summary>
    public static string NoSplit(JsonNode? node) => $"'{TypeName(node)}' object has no attribute 'split'";

    /// <summary>How SQL compares a JSON value to an integer column: '5' = 5 casts, 'x' never matches.</summary>
    public static bool SqlEquals(JsonNode? node, long value) => SqlInt(node) == value;

    /// <summary>
    /// The integer a value matches when compared with an integer column: ints, numeric strings and integral floats;
    /// 4.5 matches no row, and other types never get that far.
    /// </summary>
    public static long? SqlInt(JsonNode? node) => Kind(node) switch
    {
        PyKind.Int or PyKind.Str => IntOf(node),
        PyKind.Float => Element(node!).GetDouble() is var d && d == Math.Floor(d) ? IntOf(node) : null,
        _ => null,
    };

    // ---- repr ----

    public static string Repr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder(s.Length + 2).Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    public static string Repr(object? value) => value switch
    {
        null => "None",
        string s => Repr(s),
        bool b => b ? "True" : "False",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => FloatRepr(d),
        IrisErrors e => e.ToPythonRepr(),
        IEnumerable<string> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        _ => Repr(value.ToString() ?? string.Empty),
    };

    public static string FloatRepr(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    // ---- datetimes ----

    /// <summary>Python keeps microseconds; .NET keeps 100 ns ticks. Truncate so stored times round-trip like IRIS's.</summary>
    public static DateTime Micro(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Unspecified);

    public static DateTime UtcNow() => Micro(DateTime.UtcNow);

    /// <summary>datetime.isoformat(): no offset (columns are naive), and no fraction when microseconds are zero.</summary>
    public static string IsoFormat(DateTime t)
    {
        var micro = (int)(t.Ticks % TimeSpan.TicksPerSecond / 10);
        var text = t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return micro == 0 ? text : text + "." + micro.ToString("D6", CultureInfo.InvariantCulture);
    }

    public static string DateIso(DateTime t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static double Timestamp(DateTime utc) => Math.Round((utc - DateTime.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond, 6);
}
