using System.Reflection;
using System.Xml.Linq;
using PSSocAutomation.HelpGen;

namespace PSSocAutomation.Tests.Help;

/// <summary>
/// The help generator, run the way the build runs it: over an assembly loaded in a MetadataLoadContext (this test
/// assembly's fixture cmdlets, and the module's own assembly), never over live types.
/// </summary>
public sealed class HelpGeneratorTests : IDisposable
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";

    // The engine's System.Management.Automation: the SDK keeps it under runtimes/, out of the resolver's folder scan.
    private static readonly string PowerShellAssembly = typeof(System.Management.Automation.PSCmdlet).Assembly.Location;

    private readonly MetadataLoadContext _context;
    private readonly Assembly _fixtures;

    public HelpGeneratorTests()
    {
        var path = typeof(HelpFixtureCommand).Assembly.Location;
        _context = AssemblyContext.Open(path, [PowerShellAssembly]);
        _fixtures = _context.LoadFromAssemblyPath(path);
    }

    public void Dispose() => _context.Dispose();

    private static DocComments Docs(params (string Member, string Summary)[] members) =>
        new(new XDocument(new XElement("doc", new XElement("members",
            members.Select(m => new XElement("member", new XAttribute("name", m.Member), XElement.Parse("<summary>" + m.Summary + "</summary>")))))));

    private CmdletHelp Read<T>(DocComments? docs = null) =>
        new CmdletReader(docs ?? Docs()).ReadCmdlet(_fixtures.GetType(typeof(T).FullName!, throwOnError: true)!);

    private static string Line(ParameterSetHelp set) => string.Join(" ", set.Parameters.Select(p => p.Parameter.Name));

    [Fact]
    public void Sets_are_formed_as_PowerShell_forms_them_default_first_and_a_setless_parameter_in_every_set()
    {
        var help = Read<HelpFixtureCommand>();

        Assert.Equal(["ByName", "ById"], help.ParameterSets.Select(s => s.Name));
        Assert.True(help.ParameterSets[0].IsDefault);
        Assert.False(help.ParameterSets[1].IsDefault);
        // Positional first, then the named mandatory, then the rest in declaration order (own properties before the base's).
        Assert.Equal("Name Customer Force Limit Connection", Line(help.ParameterSets[0]));
        Assert.Equal("Id Customer Force Limit Connection", Line(help.ParameterSets[1]));
    }

    [Fact]
    public void A_cmdlet_that_names_no_set_has_the_one_all_parameter_sets_line()
    {
        var help = Read<HelpFixturePlainCommand>();

        var set = Assert.Single(help.ParameterSets);
        Assert.Equal(CmdletReader.AllParameterSets, set.Name);
        Assert.Equal(0, set.Parameters.Single().Position);
    }

    [Fact]
    public void A_generic_base_property_has_the_concrete_type()
    {
        var connection = Read<HelpFixtureCommand>().Parameters.Single(p => p.Name == "Connection");

        Assert.Equal("HelpFixtureConnection", connection.TypeName);
        Assert.Equal(typeof(HelpFixtureConnection).FullName, connection.FullTypeName);
    }

    [Fact]
    public void Types_are_written_as_Get_Command_writes_them()
    {
        var parameters = Read<HelpFixtureCommand>().Parameters.ToDictionary(p => p.Name);

        Assert.Equal("int[]", parameters["Id"].TypeName);
        Assert.Equal("string", parameters["Name"].TypeName);
        Assert.Equal("int", parameters["Limit"].TypeName); // Nullable<int> shows as its underlying type
    }

    [Fact]
    public void A_switch_has_no_value_and_defaults_to_false()
    {
        var help = Read<HelpFixtureCommand>();
        var force = help.Parameters.Single(p => p.Name == "Force");
        Assert.True(force.IsSwitch);

        var maml = Parameter(MamlWriter.Write([help]), "Force");
        Assert.Null(maml.Element(Command + "parameterValue"));
        Assert.Equal("False", maml.Element(XName.Get("defaultValue", "http://schemas.microsoft.com/maml/dev/2004/10"))!.Value);
    }

    [Fact]
    public void Aliases_pipeline_input_and_positions_reach_the_MAML()
    {
        var maml = MamlWriter.Write([Read<HelpFixtureCommand>()]);

        var name = Parameter(maml, "Name");
        Assert.Equal("n, Title", (string?)name.Attribute("aliases"));
        Assert.Equal("0", (string?)name.Attribute("position"));
        Assert.Equal("true", (string?)name.Attribute("required"));
        Assert.Equal("True (ByValue)", (string?)Parameter(maml, "Id").Attribute("pipelineInput"));
        Assert.Equal("True (ByPropertyName)", (string?)Parameter(maml, "Limit").Attribute("pipelineInput"));
        Assert.Equal("named", (string?)Parameter(maml, "Customer").Attribute("position"));
        Assert.Equal("none", (string?)Parameter(maml, "Customer").Attribute("aliases"));
    }

    [Fact]
    public void ShouldProcess_adds_WhatIf_and_Confirm_to_every_syntax_line_and_only_then()
    {
        var maml = MamlWriter.Write([Read<HelpFixtureCommand>(), Read<HelpFixturePlainCommand>()]);
        var commands = maml.Root!.Elements(Command + "command").ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value);

        var lines = commands["Get-HelpFixture"].Descendants(Command + "syntaxItem").ToList();
        Assert.Equal(2, lines.Count);
        foreach (var line in lines)
            Assert.Equal(["WhatIf", "Confirm"], line.Elements(Command + "parameter").TakeLast(2).Select(p => p.Element(Maml + "name")!.Value));
        Assert.DoesNotContain(commands["Get-HelpFixturePlain"].Descendants(Maml + "name"), n => n.Value is "WhatIf" or "Confirm");
    }

    [Fact]
    public void Inputs_come_from_the_pipeline_parameters_and_outputs_from_OutputType()
    {
        var help = Read<HelpFixtureCommand>();

        Assert.Equal(["System.Int32[]", "System.Int32"], help.Inputs);
        Assert.Equal([typeof(HelpFixtureConnection).FullName!], help.Outputs);
        Assert.Empty(Read<HelpFixturePlainCommand>().Inputs); // written as "None"
    }

    [Fact]
    public void Descriptions_and_defaults_come_from_the_property_summaries_including_a_generic_base()
    {
        var docs = Docs(
            ("P:" + typeof(HelpFixtureCommand).FullName + ".Customer", "The customer. Default: <c>ACME</c>."),
            ("P:PSSocAutomation.Tests.Help.HelpFixtureCommandBase`1.Connection", "The connection (default: the session's)."));
        var parameters = Read<HelpFixtureCommand>(docs).Parameters.ToDictionary(p => p.Name);

        Assert.Equal("The customer. Default: ACME .", parameters["Customer"].Description);
        Assert.Equal("ACME", parameters["Customer"].DefaultValue);
        Assert.Equal("the session's", parameters["Connection"].DefaultValue);
        Assert.Equal("None", parameters["Name"].DefaultValue);
    }

    [Theory]
    [InlineData("Rows per page. Default: 1000.", "1000")]
    [InlineData("Lookback, e.g. 15m (default: all).", "all")]
    [InlineData("The field to sort on; default: -TimeField ascending", "-TimeField ascending")]
    [InlineData("Where documents go. Default: the index named in the alert. Or a pattern.", "the index named in the alert")]
    [InlineData("Cases per request (default 100).", "100")]
    [InlineData("How many to return (default 10; 0 counts only).", "10")]
    [InlineData("The asset type (default 'Windows - Computer').", "Windows - Computer")]
    [InlineData("No default named here.", null)]
    [InlineData("Leaves the session's default alone.", null)]
    public void The_default_is_the_text_after_default_colon(string summary, string? expected) =>
        Assert.Equal(expected, DocComments.DefaultIn(summary));

    [Fact]
    public void The_module_itself_Connect_Elastic_has_two_sets_and_Get_ElasticAlert_an_ElasticConnection()
    {
        var path = typeof(PSSocAutomation.Elastic.ConnectElasticCommand).Assembly.Location;
        using var context = AssemblyContext.Open(path, [PowerShellAssembly]);
        var cmdlets = new CmdletReader(Docs()).Read(context.LoadFromAssemblyPath(path)).ToDictionary(c => c.Name);

        Assert.Equal(["Uri", "CloudId"], cmdlets["Connect-Elastic"].ParameterSets.Select(s => s.Name));
        Assert.DoesNotContain("CloudId", Line(cmdlets["Connect-Elastic"].ParameterSets[0]).Split(' '));
        Assert.Equal("ElasticConnection", cmdlets["Get-ElasticAlert"].Parameters.Single(p => p.Name == "Connection").TypeName);
        Assert.Contains("Connect-Elastic", MamlWriter.RelatedLinks(cmdlets["Get-ElasticAlert"], cmdlets.Values.ToList()));
    }

    private static XElement Parameter(XDocument maml, string name) =>
        maml.Root!.Descendants(Command + "parameters").Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);
}
