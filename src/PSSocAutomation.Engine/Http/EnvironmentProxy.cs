#if NETSTANDARD2_0
using System;
using System.Linq;
using System.Net;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// HTTPS_PROXY / HTTP_PROXY / NO_PROXY for Windows PowerShell 5.1, whose .NET Framework only reads the system proxy.
    /// (.NET on PowerShell 7 reads these variables itself.)
    /// </summary>
    internal static class EnvironmentProxy
    {
        public static IWebProxy? FromEnvironment()
        {
            var value = Environment.GetEnvironmentVariable("HTTPS_PROXY") ?? Environment.GetEnvironmentVariable("https_proxy")
                ?? Environment.GetEnvironmentVariable("HTTP_PROXY") ?? Environment.GetEnvironmentVariable("http_proxy");
            if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri)) return null;
            var noProxy = (Environment.GetEnvironmentVariable("NO_PROXY") ?? Environment.GetEnvironmentVariable("no_proxy") ?? string.Empty)
                .Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(h => h.Trim().TrimStart('*', '.'))
                .Where(h => h.Length > 0)
                .Select(h => ".*" + System.Text.RegularExpressions.Regex.Escape(h) + "$")
                .ToArray();
            return new WebProxy(uri, BypassOnLocal: true, BypassList: noProxy);
        }
    }
}
#endif
