using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PSSocAutomation.Lab.Aws.Ec2;

/// <summary>EC2's XML vocabulary: elements in the 2016-11-15 namespace, lists of &lt;item&gt;, lowercase booleans, ISO-8601 UTC times.</summary>
internal static class Ec2Xml
{
    public static XElement E(string name, params object?[] content) => new(AwsEc2Service.Ns + name, content);

    public static XElement Item(params object?[] content) => E("item", content);

    public static XElement Set(string name, IEnumerable<XElement> items) => E(name, items.Cast<object>().ToArray());

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>tagSet/item{key, value}; EC2 leaves the element out when a resource has no tags.</summary>
    public static XElement? Tags(Ec2TagSet tags) =>
        tags.Count == 0 ? null : Set("tagSet", tags.Items.Select(t => Item(E("key", t.Key), E("value", t.Value))));

    public static XElement?[] Return() => [E("return", "true")];
}

/// <summary>One Filter.N of a Describe call: Name and its Value.M (values OR-ed, filters AND-ed, * and ? wildcards).</summary>
internal sealed record Ec2Filter(string Name, IReadOnlyList<string> Values)
{
    private readonly Regex[] _patterns = Values.Select(v => new Regex("^" + Wildcard(v) + "$", RegexOptions.CultureInvariant)).ToArray();

    /// <summary>Filter.N.Name / Filter.N.Value.M, each name checked against those the action knows (tag:, tag-key, tag-value always).</summary>
    public static IReadOnlyList<Ec2Filter> Parse(AwsQueryArgs args, params string[] known)
    {
        var filters = new List<Ec2Filter>();
        foreach (var n in args.Indexes("Filter"))
        {
            var prefix = AwsQueryArgs.Index("Filter", n);
            var name = args[prefix + ".Name"] ?? throw new Ec2Exception("InvalidParameterValue", "The filter 'null' is invalid");
            if (!known.Contains(name, StringComparer.Ordinal) && !name.StartsWith("tag:", StringComparison.Ordinal) && name is not ("tag-key" or "tag-value"))
                throw new Ec2Exception("InvalidParameterValue", $"The filter '{name}' is invalid");
            filters.Add(new Ec2Filter(name, args.List(prefix + ".Value")));
        }
        return filters;
    }

    public bool Matches(IEnumerable<string?> actual) => actual.Any(a => a is not null && _patterns.Any(p => p.IsMatch(a)));

    /// <summary>Every filter holds: tag filters on <paramref name="tags"/>, the rest on what <paramref name="field"/> gives for the name.</summary>
    public static bool All(IReadOnlyList<Ec2Filter> filters, Ec2TagSet? tags, Func<string, IEnumerable<string?>> field) =>
        filters.All(f => f.Name switch
        {
            "tag-key" => f.Matches(tags?.Items.Select(t => t.Key) ?? []),
            "tag-value" => f.Matches(tags?.Items.Select(t => t.Value) ?? []),
            _ when f.Name.StartsWith("tag:", StringComparison.Ordinal) => f.Matches([tags?[f.Name[4..]]]),
            _ => f.Matches(field(f.Name)),
        });

    private static string Wildcard(string value)
    {
        var pattern = new System.Text.StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length) pattern.Append(Regex.Escape(value[++i].ToString()));
            else if (c == '*') pattern.Append(".*");
            else if (c == '?') pattern.Append('.');
            else pattern.Append(Regex.Escape(c.ToString()));
        }
        return pattern.ToString();
    }
}
