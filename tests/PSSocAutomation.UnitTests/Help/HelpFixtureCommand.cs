using System.Management.Automation;

namespace PSSocAutomation.Tests.Help;

/// <summary>
/// A cmdlet the help generator is tested on: two named sets (the default declared second), a parameter in every set,
/// a generic base's -Connection, a switch, aliases, pipeline input and SupportsShouldProcess.
/// </summary>
[Cmdlet(VerbsCommon.Get, "HelpFixture", DefaultParameterSetName = "ByName", SupportsShouldProcess = true)]
[OutputType(typeof(HelpFixtureConnection))]
public sealed class HelpFixtureCommand : HelpFixtureCommandBase<HelpFixtureConnection>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ById", ValueFromPipeline = true)]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = "ByName")]
    [Alias("n", "Title")]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true)]
    public string Customer { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? Limit { get; set; }
}

/// <summary>A cmdlet with no sets and no ShouldProcess: one __AllParameterSets line, no -WhatIf.</summary>
[Cmdlet(VerbsCommon.Get, "HelpFixturePlain")]
public sealed class HelpFixturePlainCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    public string? Text { get; set; }
}
