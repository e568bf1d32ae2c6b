using System.Xml.Linq;

namespace PSSocAutomation.HelpGen;

/// <summary>Writes the cmdlets' help as the MAML document Get-Help reads (PSSocAutomation.dll-Help.xml).</summary>
internal static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    /// <summary>The topic every cmdlet links to: the module's model (connections, the alert, sinks, errors).</summary>
    internal const string ModuleTopic = "about_PSSocAutomation";

    // SupportsShouldProcess gives the cmdlet these two; PowerShell adds them after its own parameters in every set.
    private static readonly ParameterHelp WhatIf = CommonSwitch("WhatIf", "wi", "Shows what the cmdlet would change without changing it.");
    private static readonly ParameterHelp Confirm = CommonSwitch("Confirm", "cf", "Asks for confirmation before each change.");

    public static XDocument Write(IReadOnlyList<CmdletHelp> cmdlets) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), cmdlets.Select(c => CommandElement(c, cmdlets))));

    private static XElement CommandElement(CmdletHelp cmdlet, IReadOnlyList<CmdletHelp> all)
    {
        var parameters = cmdlet.SupportsShouldProcess ? cmdlet.Parameters.Append(WhatIf).Append(Confirm).ToList() : cmdlet.Parameters.ToList();
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command), new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                Description(cmdlet.Synopsis),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun)),
            Description(cmdlet.Description),
            new XElement(Command + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, set))),
            new XElement(Command + "parameters", parameters.Select(p => Parameter(p, p.Mandatory, p.Position, p.ByValue, p.ByPropertyName))),
            new XElement(Command + "inputTypes", Inputs(cmdlet).Select(i => TypeEntry(Command + "inputType", i.Type, i.Text))),
            new XElement(Command + "returnValues", Outputs(cmdlet).Select(o => TypeEntry(Command + "returnValue", o, $"{cmdlet.Name} writes {o} objects to the pipeline."))),
            new XElement(Command + "examples", cmdlet.Examples.Select(e => new XElement(Command + "example",
                new XElement(Maml + "title", $"---------- {e.Title} ----------"),
                new XElement(Dev + "code", e.Code),
                new XElement(Dev + "remarks", Para(e.Remarks))))),
            new XElement(Maml + "relatedLinks", RelatedLinks(cmdlet, all).Select(link => new XElement(Maml + "navigationLink",
                new XElement(Maml + "linkText", link), new XElement(Maml + "uri")))));
    }

    private static XElement SyntaxItem(CmdletHelp cmdlet, ParameterSetHelp set)
    {
        var members = set.Parameters.Select(p => Parameter(p.Parameter, p.Mandatory, p.Position, p.ByValue, p.ByPropertyName));
        if (cmdlet.SupportsShouldProcess) members = members.Append(Parameter(WhatIf, false, null, false, false)).Append(Parameter(Confirm, false, null, false, false));
        return new XElement(Command + "syntaxItem", new XElement(Maml + "name", cmdlet.Name), members);
    }

    private static XElement Parameter(ParameterHelp p, bool mandatory, int? position, bool byValue, bool byPropertyName) =>
        new(Command + "parameter",
            new XAttribute("required", mandatory ? "true" : "false"),
            new XAttribute("variableLength", p.FullTypeName.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
            new XAttribute("globbing", "false"),
            new XAttribute("pipelineInput", PipelineInput(byValue, byPropertyName)),
            new XAttribute("position", position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(p.Description),
            p.IsSwitch ? null : new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), p.TypeName),
            new XElement(Dev + "type", new XElement(Maml + "name", p.FullTypeName), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", p.DefaultValue));

    private static string PipelineInput(bool byValue, bool byPropertyName) => (byValue, byPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static IEnumerable<(string Type, string Text)> Inputs(CmdletHelp cmdlet)
    {
        if (cmdlet.Inputs.Count == 0) return [("None", $"You cannot pipe objects to {cmdlet.Name}.")];
        return cmdlet.Inputs.Select(type =>
        {
            var takers = cmdlet.Parameters.Where(p => p.FullTypeName == type && (p.ByValue || p.ByPropertyName))
                .Select(p => $"-{p.Name} ({(p.ByValue ? "by value" : "by property name")}{(p.ByValue && p.ByPropertyName ? " or by property name" : "")})");
            return (type, $"You can pipe {type} to {string.Join(", ", takers)}.");
        });
    }

    private static IReadOnlyList<string> Outputs(CmdletHelp cmdlet) => cmdlet.Outputs.Count == 0 ? ["None"] : cmdlet.Outputs;

    /// <summary>The other cmdlets of the same service (Connect-Elastic, Get-ElasticAlert ...), then the module's about_ topic.</summary>
    internal static IEnumerable<string> RelatedLinks(CmdletHelp cmdlet, IReadOnlyList<CmdletHelp> all) =>
        all.Where(c => c.Family == cmdlet.Family && c.Name != cmdlet.Name).Select(c => c.Name).Append(ModuleTopic);

    private static XElement TypeEntry(XName name, string type, string text) =>
        new(name, new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")), Description(text));

    private static XElement Description(string text) => new(Maml + "description", Para(text));

    private static XElement Para(string text) => new(Maml + "para", text);

    private static ParameterHelp CommonSwitch(string name, string alias, string description) =>
        new(name, "switch", "System.Management.Automation.SwitchParameter", true, description, [alias], "False", false, null, false, false);
}
