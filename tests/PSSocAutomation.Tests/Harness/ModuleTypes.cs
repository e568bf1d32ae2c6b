namespace PSSocAutomation.Tests.Harness;

/// <summary>Objects of the module's own types, made from the module's own load context (what its sources produce).</summary>
public static class ModuleTypes
{
    /// <summary>The type with this full name from the assemblies the imported module loaded (out/PSSocAutomation).</summary>
    public static Type Get(string fullName)
    {
        foreach (var context in System.Runtime.Loader.AssemblyLoadContext.All)
            foreach (var assembly in context.Assemblies)
                if (assembly.GetName().Name?.StartsWith("PSSocAutomation", StringComparison.Ordinal) == true && assembly.GetType(fullName) is Type type)
                    return type;
        throw new InvalidOperationException($"{fullName} is not loaded: import the module (a ModuleSession) first.");
    }

    /// <summary>An instance through its public or internal constructor, then public settable properties by name.</summary>
    public static object Create(string fullName, object?[] arguments, IDictionary<string, object?>? properties = null)
    {
        var type = Get(fullName);
        var instance = Activator.CreateInstance(type, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null, arguments, null)!;
        if (properties != null)
            foreach (var (name, value) in properties)
            {
                var property = type.GetProperty(name) ?? throw new InvalidOperationException($"{fullName} has no property {name}.");
                var target = property.PropertyType;
                var underlying = Nullable.GetUnderlyingType(target) ?? target;
                property.SetValue(instance, value is string text && underlying.IsEnum ? Enum.Parse(underlying, text) : value);
            }
        return instance;
    }
}

/// <summary>The full names of the module's output types, as PowerShell's TypeNames carry them.</summary>
public static class Types
{
    public const string SocAlert = "PSSocAutomation.Core.SocAlert";
    public const string AlertIndicator = "PSSocAutomation.Core.AlertIndicator";
    public const string IndicatorMatches = "PSSocAutomation.Elastic.IndicatorMatches";
    public const string ElasticConnection = "PSSocAutomation.Elastic.ElasticConnection";
    public const string SendResult = "PSSocAutomation.Elastic.SendElasticDocumentResult";
    public const string IrisConnection = "PSSocAutomation.Iris.IrisConnection";
    public const string IrisCase = "PSSocAutomation.Iris.IrisCase";
    public const string IrisAlert = "PSSocAutomation.Iris.IrisAlert";
    public const string IrisIoc = "PSSocAutomation.Iris.IrisIoc";
    public const string IrisAsset = "PSSocAutomation.Iris.IrisAsset";
    public const string IrisNote = "PSSocAutomation.Iris.IrisNote";
    public const string IrisCustomer = "PSSocAutomation.Iris.IrisCustomer";
    public const string IrisLookupItem = "PSSocAutomation.Iris.IrisLookupItem";
}
