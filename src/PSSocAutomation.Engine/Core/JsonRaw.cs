using System;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// The UTF-8 text of a JSON element as a new array. .NET 9+ (PowerShell 7.5+) can hand out the element's own bytes
    /// (JsonMarshal.GetRawUtf8Value); the .NET 8 and .NET Framework builds cannot name that API, so it is bound at run
    /// time when present. Without it the text is transcoded, which costs twice the memory per alert.
    /// </summary>
    public static class JsonRaw
    {
        private delegate ReadOnlySpan<byte> RawUtf8(JsonElement element);

        private static readonly RawUtf8? GetRawUtf8 = Bind();

        public static byte[] CopyUtf8(JsonElement element)
        {
            if (GetRawUtf8 != null) return GetRawUtf8(element).ToArray();
            return Encoding.UTF8.GetBytes(element.GetRawText());
        }

        private static RawUtf8? Bind()
        {
            var method = typeof(JsonElement).Assembly.GetType("System.Runtime.InteropServices.JsonMarshal")
                ?.GetMethod("GetRawUtf8Value", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(JsonElement) }, null);
            if (method is null || method.ReturnType != typeof(ReadOnlySpan<byte>)) return null;
            try { return (RawUtf8)Delegate.CreateDelegate(typeof(RawUtf8), method); }
            catch (ArgumentException) { return null; }
        }
    }
}
