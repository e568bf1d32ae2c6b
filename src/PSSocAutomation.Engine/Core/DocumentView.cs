using System;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// How a kept JSON document (an alert's original, an IRIS object's raw fields) is shown to whoever reads it. The
    /// engine knows nothing of PowerShell: the module points these at its PowerShell-object builder when it is imported;
    /// plain C# callers get the JSON text.
    /// </summary>
    public static class DocumentView
    {
        public static Func<ReadOnlyMemory<byte>, object?> FromUtf8 { get; set; } = utf8 => Encoding.UTF8.GetString(utf8.ToArray());

        public static Func<JsonElement, object?> FromElement { get; set; } = element => element.GetRawText();
    }
}
