using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>
    /// A profile's credential_process: a command that prints {"Version": 1, "AccessKeyId", "SecretAccessKey",
    /// "SessionToken", "Expiration"} on stdout. It also covers what this module does not sign in to itself, such as SSO:
    /// <c>credential_process = aws configure export-credentials --profile sso-prod --format process</c>.
    /// </summary>
    public static class CredentialProcess
    {
        private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
        private const int ExitGraceMilliseconds = 5000;

        public static async Task<AwsCredentialSet> RunAsync(string commandLine, string profile, CancellationToken cancellationToken)
        {
            var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var start = new ProcessStartInfo(windows ? "cmd.exe" : "/bin/sh")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
                StandardOutputEncoding = Encoding.UTF8,
            };
            // As the CLI does: the line is run by the shell, so quoting and paths work as the user wrote them.
            start.Arguments = windows ? "/d /s /c \"" + commandLine + "\"" : "-c \"" + commandLine.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is InvalidOperationException)
            {
                throw new AwsCredentialsException($"The credential_process of profile '{profile}' could not be started: {ex.Message}", ex);
            }
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                limit.CancelAfter(Limit);
                try
                {
                    var output = Task.WhenAll(stdout, stderr);
                    if (await Task.WhenAny(output, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false) != output)
                        throw new OperationCanceledException(limit.Token);
                    // Its output is closed; the exit follows at once unless it closed them and went on. Bounded either way
                    // (netstandard2.0 has no WaitForExitAsync), so a credential lookup never hangs the pipeline thread.
                    if (!process.WaitForExit(ExitGraceMilliseconds)) throw new OperationCanceledException(limit.Token);
                }
                catch (OperationCanceledException)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    if (cancellationToken.IsCancellationRequested) throw;
                    throw new AwsCredentialsException($"The credential_process of profile '{profile}' did not finish within {Limit.TotalSeconds:0} s; it was stopped. Run it by hand to see what it waits for (a login prompt?).");
                }
            }
            if (process.ExitCode != 0)
            {
                var error = (await stderr.ConfigureAwait(false)).Trim();
                throw new AwsCredentialsException($"The credential_process of profile '{profile}' exited with code {process.ExitCode}" +
                    (error.Length > 0 ? ": " + (error.Length > 300 ? error.Substring(0, 300) + "…" : error) : ".") + " Run it by hand to see why (an SSO session that needs 'aws sso login'?).");
            }
            return Parse(await stdout.ConfigureAwait(false), profile);
        }

        /// <summary>The process's JSON; never quoted in an error, since it holds the secret.</summary>
        public static AwsCredentialSet Parse(string output, string profile)
        {
            try
            {
                using var doc = JsonDocument.Parse(output);
                var root = doc.RootElement;
                string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                if (!root.TryGetProperty("Version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != 1)
                    throw new AwsCredentialsException($"The credential_process of profile '{profile}' printed JSON without \"Version\": 1, the only version AWS defines.");
                var id = Text("AccessKeyId");
                var secret = Text("SecretAccessKey");
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
                    throw new AwsCredentialsException($"The credential_process of profile '{profile}' printed no AccessKeyId or SecretAccessKey.");
                DateTimeOffset? expiration = null;
                var end = Text("Expiration");
                if (end != null)
                {
                    if (!DateTimeOffset.TryParse(end, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                        throw new AwsCredentialsException($"The credential_process of profile '{profile}' printed an Expiration that is not an ISO 8601 time: '{end}'.");
                    expiration = parsed;
                }
                return new AwsCredentialSet(id!, secret!, Text("SessionToken"), expiration, $"profile {profile} (credential_process)");
            }
            catch (JsonException)
            {
                throw new AwsCredentialsException($"The credential_process of profile '{profile}' printed something that is not JSON; it must print the credentials as AWS documents ({{\"Version\": 1, \"AccessKeyId\": ...}}).");
            }
        }
    }
}
