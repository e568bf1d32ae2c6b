namespace PSSocAutomation.HelpGen;

/// <summary>An example: its code, and the sentences after the code that say what it does.</summary>
internal sealed record ExampleHelp(string Title, string Code, string Remarks);
