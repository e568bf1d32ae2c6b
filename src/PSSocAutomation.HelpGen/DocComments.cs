using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PSSocAutomation.HelpGen;

/// <summary>
/// The compiler's XML documentation file, read the way help needs it. A cmdlet's summary holds
/// <c>&lt;para type="synopsis"&gt;</c> and <c>&lt;para type="description"&gt;</c>; each <c>&lt;example&gt;</c> holds a
/// <c>&lt;code&gt;</c> and, after it, the <c>&lt;para&gt;</c> that says what it does; a parameter is described by its
/// property's summary.
/// </summary>
/// <remarks>
/// Defaults: a property initializer cannot be read without running the constructor, which MetadataLoadContext
/// cannot do, so the summary says the default in words, as "(default X)" (the code's habit), "(default: X)" or
/// "Default: X." (a sentence of its own); the help's default value is X. PSSocAutomation.UnitTests' ModuleDefaultsTests
/// makes each cmdlet and checks that every parameter that starts with a value says so. A parameter whose summary names no default shows "None", as PowerShell's own help does.
/// </remarks>
internal sealed partial class DocComments
{
    private readonly Dictionary<string, XElement> _members;

    public DocComments(XDocument document)
    {
        _members = document.Descendants("member")
            .Where(m => m.Attribute("name") != null)
            .GroupBy(m => (string)m.Attribute("name")!)
            .ToDictionary(g => g.Key, g => g.First());
    }

    public static DocComments Load(string path) => new(XDocument.Load(path));

    public XElement? ForType(Type type) => _members.GetValueOrDefault("T:" + DocName(type));

    /// <summary>A property's summary; a property of a generic base is documented under the open type (ConnectedCommandBase`1).</summary>
    public string PropertySummary(PropertyInfo property)
    {
        var declaring = property.DeclaringType!;
        if (declaring.IsConstructedGenericType) declaring = declaring.GetGenericTypeDefinition();
        return Text(_members.GetValueOrDefault("P:" + DocName(declaring) + "." + property.Name)?.Element("summary"));
    }

    public static string Para(XElement? summary, string kind) =>
        Text(summary?.Elements("para").FirstOrDefault(p => (string?)p.Attribute("type") == kind));

    /// <summary>The default a summary names ("Default: 1000." or "(default: the session's)"), else null.</summary>
    public static string? DefaultIn(string summary)
    {
        var match = DefaultPattern().Match(summary);
        if (!match.Success) return null;
        var value = match.Groups["value"].Value.Trim().TrimEnd('.', ';', ',').Trim().Trim('\'');
        return value.Length == 0 ? null : value;
    }

    /// <summary>An element's text with see/paramref/c turned into words and whitespace collapsed, as help shows it.</summary>
    public static string Text(XElement? element)
    {
        if (element == null) return string.Empty;
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText t:
                    text.Append(t.Value);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    text.Append(see.Value.Length > 0 ? see.Value : CrefWord((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? ""));
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                    text.Append((string?)reference.Attribute("name"));
                    break;
                case XElement inner:
                    text.Append(' ').Append(Text(inner)).Append(' ');
                    break;
            }
        }
        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    private static string CrefWord(string cref) => cref.Split('.').Last();

    /// <summary>The documentation id's form of a type name: namespace-qualified, nested types joined by '.'.</summary>
    private static string DocName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // "(default X)" or "(default: X)" stops at the parenthesis or a semicolon ("(default 10; 0 counts only)");
    // "Default: X." at the end of the sentence (a full stop before a space or the end).
    [GeneratedRegex(@"\(\s*default(?::\s*|\s+)(?<value>[^);]*)|\bdefault:\s*(?<value>.*?)(?:\.(?=\s|$)|$)", RegexOptions.IgnoreCase)]
    private static partial Regex DefaultPattern();
}
