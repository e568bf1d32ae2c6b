using System.Collections.ObjectModel;
using System.Reflection;

namespace PSSocAutomation.HelpGen;

/// <summary>
/// Reads every [Cmdlet] type of an assembly loaded in a MetadataLoadContext, forming its parameter sets the way
/// PowerShell's CommandMetadata does, so the help's SYNTAX is the line Get-Command -Syntax prints.
/// </summary>
internal sealed class CmdletReader
{
    internal const string AllParameterSets = "__AllParameterSets";
    private const string Automation = "System.Management.Automation.";

    private readonly DocComments _docs;

    public CmdletReader(DocComments docs) => _docs = docs;

    public IReadOnlyList<CmdletHelp> Read(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && Attribute(t.GetCustomAttributesData(), "CmdletAttribute") != null)
            .Select(ReadCmdlet)
            .OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    public CmdletHelp ReadCmdlet(Type type)
    {
        var cmdlet = Attribute(type.GetCustomAttributesData(), "CmdletAttribute")!;
        var verb = (string)cmdlet.ConstructorArguments[0].Value!;
        var noun = (string)cmdlet.ConstructorArguments[1].Value!;
        var defaultSet = Named<string>(cmdlet, "DefaultParameterSetName");
        var shouldProcess = Named<bool>(cmdlet, "SupportsShouldProcess");

        var declared = ReadParameters(type);
        var sets = FormSets(declared, defaultSet);
        var parameters = declared.Select(d => d.Help).ToList();

        var doc = _docs.ForType(type);
        var summary = doc?.Element("summary");
        var synopsis = DocComments.Para(summary, "synopsis");
        if (synopsis.Length == 0) synopsis = DocComments.Text(summary);
        var description = DocComments.Para(summary, "description");
        var examples = (doc?.Elements("example") ?? []).Select((e, i) => Example(e, i + 1)).ToList();

        return new CmdletHelp(verb, noun, (type.Namespace ?? string.Empty).Split('.').Last(), synopsis, description.Length > 0 ? description : synopsis, shouldProcess,
            sets, parameters, Inputs(parameters), Outputs(type), examples);
    }

    /// <summary>A [Parameter] property with every [Parameter] attribute it carries (one per set it is in).</summary>
    private sealed record DeclaredParameter(ParameterHelp Help, IReadOnlyList<CustomAttributeData> Attributes);

    private List<DeclaredParameter> ReadParameters(Type type)
    {
        var result = new List<DeclaredParameter>();
        // GetProperties lists the type's own properties, then its bases': the order PowerShell binds and shows them in.
        // A property of a generic base comes back on the constructed base, typed with the concrete argument.
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (result.Any(r => r.Help.Name == property.Name)) continue;
            var attributes = property.GetCustomAttributesData();
            var parameterAttributes = attributes.Where(a => a.AttributeType.FullName == Automation + "ParameterAttribute").ToList();
            if (parameterAttributes.Count == 0) continue;

            var aliases = attributes.Where(a => a.AttributeType.FullName == Automation + "AliasAttribute")
                .SelectMany(a => a.ConstructorArguments)
                .SelectMany(arg => arg.Value is ReadOnlyCollection<CustomAttributeTypedArgument> many ? many.Select(m => (string)m.Value!) : [(string)arg.Value!])
                .ToList();
            var summary = _docs.PropertySummary(property);
            var first = parameterAttributes[0];
            // A switch is off unless given; its summary's "default" is prose ("the session's default: ..."), not a value.
            var isSwitch = property.PropertyType.FullName == Automation + "SwitchParameter";
            var help = new ParameterHelp(
                property.Name,
                PowerShellTypeName.Of(property.PropertyType),
                PowerShellTypeName.FullName(property.PropertyType),
                isSwitch,
                summary,
                aliases,
                isSwitch ? "False" : DocComments.DefaultIn(summary) ?? "None",
                parameterAttributes.Any(a => Named<bool>(a, "Mandatory")),
                Position(first),
                parameterAttributes.Any(a => Named<bool>(a, "ValueFromPipeline")),
                parameterAttributes.Any(a => Named<bool>(a, "ValueFromPipelineByPropertyName")));
            result.Add(new DeclaredParameter(help, parameterAttributes));
        }
        return result;
    }

    /// <summary>
    /// PowerShell's sets: the default set is numbered first, then each named set in the order the parameters name it;
    /// a parameter whose [Parameter] names no set is in every set; a cmdlet that names no set has the one
    /// __AllParameterSets. In a set, a parameter's own [Parameter] for that set wins over its all-sets one.
    /// </summary>
    private static List<ParameterSetHelp> FormSets(List<DeclaredParameter> declared, string? defaultSet)
    {
        var names = new List<string>();
        if (!string.IsNullOrEmpty(defaultSet)) names.Add(defaultSet);
        foreach (var (_, attributes) in declared)
            foreach (var set in attributes.Select(SetName))
                if (set != AllParameterSets && !names.Contains(set)) names.Add(set);
        if (names.Count == 0) names.Add(AllParameterSets);

        var sets = new List<ParameterSetHelp>();
        foreach (var name in names)
        {
            var members = new List<SetParameter>();
            foreach (var (help, attributes) in declared)
            {
                var attribute = attributes.FirstOrDefault(a => SetName(a) == name) ?? attributes.FirstOrDefault(a => SetName(a) == AllParameterSets);
                if (attribute == null) continue;
                members.Add(new SetParameter(help, Named<bool>(attribute, "Mandatory"), Position(attribute),
                    Named<bool>(attribute, "ValueFromPipeline"), Named<bool>(attribute, "ValueFromPipelineByPropertyName")));
            }
            sets.Add(new ParameterSetHelp(name, name == defaultSet, DisplayOrder(members)));
        }
        return sets;
    }

    /// <summary>Get-Command's order: positional parameters by position, then the named mandatory ones, then the rest.</summary>
    private static List<SetParameter> DisplayOrder(List<SetParameter> members) =>
        members.Where(m => m.Position != null).OrderBy(m => m.Position)
            .Concat(members.Where(m => m.Position == null && m.Mandatory))
            .Concat(members.Where(m => m.Position == null && !m.Mandatory))
            .ToList();

    private static string SetName(CustomAttributeData parameter) => Named<string>(parameter, "ParameterSetName") ?? AllParameterSets;

    private static int? Position(CustomAttributeData parameter)
    {
        var position = Named<int?>(parameter, "Position");
        return position is null or int.MinValue ? null : position;
    }

    private static List<string> Inputs(List<ParameterHelp> parameters)
    {
        var piped = parameters.Where(p => p.ByValue || p.ByPropertyName).ToList();
        return piped.Count == 0 ? [] : piped.Select(p => p.FullTypeName).Distinct().ToList();
    }

    private static List<string> Outputs(Type type)
    {
        var outputs = new List<string>();
        for (var t = type; t != null; t = t.BaseType)
            foreach (var attribute in t.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Automation + "OutputTypeAttribute"))
                foreach (var argument in attribute.ConstructorArguments)
                    foreach (var item in argument.Value as ReadOnlyCollection<CustomAttributeTypedArgument> ?? new([argument]))
                    {
                        var name = item.Value is Type output ? PowerShellTypeName.FullName(output) : item.Value?.ToString();
                        if (name != null && !outputs.Contains(name)) outputs.Add(name);
                    }
        return outputs;
    }

    private static ExampleHelp Example(System.Xml.Linq.XElement example, int number)
    {
        var code = (example.Element("code")?.Value ?? string.Empty).Trim();
        var remarks = DocComments.Text(new System.Xml.Linq.XElement("remarks", example.Nodes().Where(n => n is not System.Xml.Linq.XElement { Name.LocalName: "code" })));
        return new ExampleHelp(ExampleTitle(number, remarks), code, remarks);
    }

    /// <summary>"Example 2: Connect with an API key": the remarks' first sentence when it is short enough for a title.</summary>
    private static string ExampleTitle(int number, string remarks)
    {
        var end = remarks.IndexOf(". ", StringComparison.Ordinal);
        var sentence = (end < 0 ? remarks : remarks[..end]).TrimEnd('.');
        return sentence.Length is > 0 and <= 70 ? $"Example {number}: {sentence}" : $"Example {number}";
    }

    private static CustomAttributeData? Attribute(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.FirstOrDefault(a => a.AttributeType.FullName == Automation + name);

    private static T? Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
            if (argument.MemberName == name && argument.TypedValue.Value is T value) return value;
        return default;
    }
}
