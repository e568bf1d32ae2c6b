using System.Management.Automation;

namespace PSSocAutomation.Tests.Help;

/// <summary>Like ConnectedCommandBase: a generic base whose -Connection the help must show with the concrete type.</summary>
public abstract class HelpFixtureCommandBase<TConnection> : PSCmdlet where TConnection : class
{
    [Parameter]
    public TConnection? Connection { get; set; }
}
