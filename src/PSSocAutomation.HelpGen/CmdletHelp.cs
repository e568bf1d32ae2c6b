namespace PSSocAutomation.HelpGen;

/// <summary>Everything Get-Help shows for one cmdlet, read from its type and its XML documentation comments.</summary>
/// <param name="Family">The service the cmdlet belongs to (its namespace's last part: Elastic, Iris, Aws): RELATED LINKS lists the family.</param>
internal sealed record CmdletHelp(
    string Verb,
    string Noun,
    string Family,
    string Synopsis,
    string Description,
    bool SupportsShouldProcess,
    IReadOnlyList<ParameterSetHelp> ParameterSets,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<ExampleHelp> Examples)
{
    public string Name => Verb + "-" + Noun;
}
