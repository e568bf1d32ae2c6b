namespace PSSocAutomation.HelpGen;

/// <summary>What makes the build fail: help a user would find missing (no synopsis, fewer than two examples, an example without a sentence on what it does, an undescribed parameter).</summary>
internal static class HelpProblems
{
    public static List<string> Of(IEnumerable<CmdletHelp> cmdlets)
    {
        var problems = new List<string>();
        foreach (var cmdlet in cmdlets)
        {
            if (cmdlet.Synopsis.Length == 0) problems.Add($"{cmdlet.Name} has no synopsis (<para type=\"synopsis\"> in the class's summary).");
            if (cmdlet.Examples.Count < 2) problems.Add($"{cmdlet.Name} has {cmdlet.Examples.Count} example(s); give at least two.");
            foreach (var example in cmdlet.Examples.Where(e => e.Remarks.Length == 0))
                problems.Add($"{cmdlet.Name}'s {example.Title} has no explanation (a <para> after its <code>).");
            foreach (var parameter in cmdlet.Parameters.Where(p => p.Description.Length == 0))
                problems.Add($"{cmdlet.Name} -{parameter.Name} has no description (the property's summary).");
        }
        return problems;
    }
}
