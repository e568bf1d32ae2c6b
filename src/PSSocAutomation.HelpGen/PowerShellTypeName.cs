namespace PSSocAutomation.HelpGen;

/// <summary>
/// A type as Get-Command -Syntax writes it, so the help's SYNTAX matches the engine's: the type accelerator's name for
/// the common types ("string", "int", "pscredential"), else the name without its namespace; arrays as "T[]";
/// Nullable&lt;T&gt; as T (PowerShell shows the underlying type).
/// </summary>
internal static class PowerShellTypeName
{
    private static readonly Dictionary<string, string> Accelerators = new(StringComparer.Ordinal)
    {
        ["System.String"] = "string",
        ["System.Char"] = "char",
        ["System.Boolean"] = "bool",
        ["System.Byte"] = "byte",
        ["System.Int16"] = "short",
        ["System.Int32"] = "int",
        ["System.Int64"] = "long",
        ["System.UInt16"] = "ushort",
        ["System.UInt32"] = "uint",
        ["System.UInt64"] = "ulong",
        ["System.Single"] = "float",
        ["System.Double"] = "double",
        ["System.Decimal"] = "decimal",
        ["System.DateTime"] = "datetime",
        ["System.TimeSpan"] = "timespan",
        ["System.Guid"] = "guid",
        ["System.Uri"] = "uri",
        ["System.Version"] = "version",
        ["System.Collections.Hashtable"] = "hashtable",
        ["System.Text.RegularExpressions.Regex"] = "regex",
        ["System.Security.SecureString"] = "securestring",
        ["System.Management.Automation.PSCredential"] = "pscredential",
        ["System.Management.Automation.PSObject"] = "psobject",
        ["System.Management.Automation.ScriptBlock"] = "scriptblock",
        ["System.Management.Automation.SwitchParameter"] = "switch",
        ["System.Net.IPAddress"] = "ipaddress",
        ["System.Xml.XmlDocument"] = "xml",
    };

    public static string Of(Type type)
    {
        if (type.IsArray) return Of(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") return Of(type.GetGenericArguments()[0]);
        if (type.FullName != null && Accelerators.TryGetValue(type.FullName, out var name)) return name;
        if (type.IsGenericType)
        {
            var bare = type.Name[..type.Name.IndexOf('`')];
            return bare + "[" + string.Join(",", type.GetGenericArguments().Select(Of)) + "]";
        }
        return type.Name;
    }

    /// <summary>The full .NET name help gives in a parameter's type and in INPUTS/OUTPUTS ("System.String[]").</summary>
    public static string FullName(Type type)
    {
        if (type.IsArray) return FullName(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") return FullName(type.GetGenericArguments()[0]);
        return (type.FullName ?? type.Name).Replace('+', '.');
    }
}
