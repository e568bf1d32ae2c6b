namespace PSSocAutomation.HelpGen;

/// <summary>A parameter of the cmdlet, once, whatever the number of sets it is in.</summary>
/// <param name="TypeName">How PowerShell writes the type in a syntax line ("string[]", "ElasticConnection").</param>
/// <param name="FullTypeName">The .NET type, for the parameter's dev:type.</param>
/// <param name="DefaultValue">The text after "Default:" in the parameter's summary, or "None" (see <see cref="DocComments"/>).</param>
internal sealed record ParameterHelp(
    string Name,
    string TypeName,
    string FullTypeName,
    bool IsSwitch,
    string Description,
    IReadOnlyList<string> Aliases,
    string DefaultValue,
    bool Mandatory,
    int? Position,
    bool ByValue,
    bool ByPropertyName);
