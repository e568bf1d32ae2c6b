using System.Collections;
using System.Management.Automation;
using System.Reflection;
using PSSocAutomation.HelpGen;

namespace PSSocAutomation.Tests.Help;

/// <summary>
/// The generator cannot run a property initializer, so a parameter's default lives in its summary ("Default: X.").
/// Here, where the cmdlets can be made, every parameter that starts with a value must say so in its help, and say it
/// right for numbers and words.
/// </summary>
public sealed class ModuleDefaultsTests
{
    [Fact]
    public void Every_parameter_with_an_initial_value_names_its_default_in_the_help()
    {
        var assembly = typeof(PSSocAutomation.Elastic.ConnectElasticCommand).Assembly;
        var docs = DocComments.Load(Path.ChangeExtension(assembly.Location, ".xml"));
        var problems = new List<string>();
        foreach (var type in assembly.GetExportedTypes().Where(t => !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() != null))
        {
            var cmdlet = Activator.CreateInstance(type)!;
            foreach (var property in type.GetProperties().Where(p => p.GetCustomAttributes<ParameterAttribute>().Any()))
            {
                var shown = Shown(property.GetValue(cmdlet));
                if (shown == null) continue;
                var documented = DocComments.DefaultIn(docs.PropertySummary(property));
                if (documented == null)
                    problems.Add($"{type.Name}.{property.Name} starts as {shown} but its summary names no default");
                else if (IsLiteral(shown) && !documented.Contains(shown, StringComparison.OrdinalIgnoreCase))
                    problems.Add($"{type.Name}.{property.Name} starts as {shown} but its summary says 'default: {documented}'");
            }
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>The value as help would show it, or null for "nothing given" (null, false, 0, empty).</summary>
    private static string? Shown(object? value) => value switch
    {
        null => null,
        SwitchParameter s => s.IsPresent ? "True" : null,
        bool b => b ? "True" : null,
        string s => s.Length == 0 ? null : s,
        System.Security.SecureString s => null,
        IEnumerable e when e.Cast<object>().Any() => string.Join(", ", e.Cast<object>()),
        IEnumerable => null,
        int or long or double => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) == 0 ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    // Numbers and single words must appear as written; a TimeSpan or a sentence may be put in words ("7 days").
    private static bool IsLiteral(string shown) => shown.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '@');
}
