namespace PSSocAutomation.HelpGen;

/// <summary>One SYNTAX line: the set's parameters in the order Get-Command -Syntax shows them.</summary>
internal sealed record ParameterSetHelp(string Name, bool IsDefault, IReadOnlyList<SetParameter> Parameters);

/// <summary>A parameter as one set declares it: Mandatory and Position may differ from set to set.</summary>
internal sealed record SetParameter(ParameterHelp Parameter, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName);
