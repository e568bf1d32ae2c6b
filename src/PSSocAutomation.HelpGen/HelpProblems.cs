namespace PSSocAutomation.HelpGen;

/// <summary>What makes the build fail: help a user would find missing (no synopsis, no example, an undescribed parameter).</summary>
internal static class HelpProblems
{
    public static List<string> Of(IEnumerable<CmdletHelp> cmdlets)
    {
        var problems = new List<string>();
        foreach (var cmdlet in cmdlets)
        {
            if (cmdlet.Synopsis.Length == 0) problems.Add($"{cmdlet.Name} has no synopsis (<para type=\"synopsis\"> in the class's summary).");
            if (cmdlet.Examples.Count == 0) problems.Add($"{cmdlet.Name} has no example.");
            foreach (var parameter in cmdlet.Parameters.Where(p => p.Description.Length == 0))
                problems.Add($"{cmdlet.Name} -{parameter.Name} has no description (the property's summary).");
        }
        return problems;
    }
}
