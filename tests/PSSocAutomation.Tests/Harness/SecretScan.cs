using System.Collections;
using System.Management.Automation;
using System.Reflection;

namespace PSSocAutomation.Tests.Harness;

/// <summary>
/// Every text a failure carries, found by walking the public properties of the ErrorRecord, its exception and their
/// inner exceptions (the module's exception types live in its own load context, so they are read by reflection, never
/// by a C# type), so a "no secret anywhere" test cannot miss a property someone adds later.
/// </summary>
public static class SecretScan
{
    private const int MaxDepth = 8;

    /// <summary>Each text with where it was found ("ErrorRecord.Exception.VendorReason").</summary>
    public static IEnumerable<(string Where, string Text)> Texts(object? root, string name)
    {
        var found = new List<(string, string)>();
        Walk(root, name, 0, new HashSet<object>(ReferenceEqualityComparer.Instance), found);
        return found;
    }

    /// <summary>Fails naming the property that holds one of the secrets.</summary>
    public static void AssertNoSecret(object? root, string name, IEnumerable<string> secrets)
    {
        var list = secrets.Where(s => !string.IsNullOrEmpty(s)).ToList();
        foreach (var (where, text) in Texts(root, name))
            foreach (var secret in list)
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} holds a secret: {text}");
    }

    private static void Walk(object? value, string where, int depth, HashSet<object> seen, List<(string, string)> found)
    {
        if (value is null) return;
        if (value is string s)
        {
            found.Add((where, s));
            return;
        }
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal || value is DateTime || value is DateTimeOffset || value is TimeSpan || value is Guid)
        {
            found.Add((where, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty));
            return;
        }
        // Where the command was typed (InvocationInfo) is the user's own text, and reflection types say nothing of the failure.
        if (value is InvocationInfo || value is MemberInfo || value is Assembly || value is Module) return;
        if (depth > MaxDepth || !seen.Add(value)) return;

        found.Add((where + ".ToString()", value.ToString() ?? string.Empty));
        if (value is ErrorCategoryInfo category) found.Add((where + ".GetMessage()", category.GetMessage()));
        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                Walk(entry.Key, where + "[key]", depth + 1, seen, found);
                Walk(entry.Value, where + "[" + entry.Key + "]", depth + 1, seen, found);
            }
            return;
        }
        if (value is IEnumerable items && value is not PSObject)
        {
            var i = 0;
            foreach (var item in items) Walk(item, where + "[" + i++ + "]", depth + 1, seen, found);
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            object? propertyValue;
            try { propertyValue = property.GetValue(value); }
            catch (TargetInvocationException) { continue; }
            Walk(propertyValue, where + "." + property.Name, depth + 1, seen, found);
        }
    }
}
