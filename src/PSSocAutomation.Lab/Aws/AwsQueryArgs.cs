using System.Globalization;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// The flattened members of a Query-protocol request, read the way the Query serializers write them: scalars by name,
/// lists as Name.1, Name.2 (EC2: InstanceId.1, Filter.1.Value.1) or Name.member.1 (IAM, Auto Scaling, ELBv2), structures
/// as Name.Member. Indexes need not be contiguous; they are read in numeric order.
/// </summary>
internal sealed class AwsQueryArgs
{
    private readonly Dictionary<string, string> _parameters;

    public AwsQueryArgs(Dictionary<string, string> parameters) => _parameters = parameters;

    public string? this[string name] => _parameters.TryGetValue(name, out var value) ? value : null;

    public IEnumerable<string> Names => _parameters.Keys;

    /// <summary>Whether the request carries <paramref name="prefix"/> itself or any member under it.</summary>
    public bool Has(string prefix) =>
        _parameters.Keys.Any(k => k == prefix || k.StartsWith(prefix + ".", StringComparison.Ordinal));

    /// <summary>The indexes N present under prefix.N (prefix.N itself or prefix.N.Member), in numeric order.</summary>
    public IReadOnlyList<int> Indexes(string prefix)
    {
        var start = prefix + ".";
        var found = new SortedSet<int>();
        foreach (var key in _parameters.Keys)
        {
            if (!key.StartsWith(start, StringComparison.Ordinal)) continue;
            var rest = key.AsSpan(start.Length);
            var dot = rest.IndexOf('.');
            var digits = dot < 0 ? rest : rest[..dot];
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) found.Add(index);
        }
        return found.ToList();
    }

    /// <summary>The values of prefix.1, prefix.2, ... in index order.</summary>
    public IReadOnlyList<string> List(string prefix) =>
        Indexes(prefix).Select(i => this[prefix + "." + i.ToString(CultureInfo.InvariantCulture)]).OfType<string>().ToList();

    public static string Index(string prefix, int index) => prefix + "." + index.ToString(CultureInfo.InvariantCulture);
}
