namespace PSSocAutomation.Tests.Help;

/// <summary>The concrete connection type of <see cref="HelpFixtureCommand"/>.</summary>
public sealed class HelpFixtureConnection
{
}
