using System;
using System.Collections.Generic;
using System.IO;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>
    /// The AWS CLI's two files: ~/.aws/credentials ([name] sections) and ~/.aws/config ([profile name] and [default]),
    /// moved by AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE. A profile's settings are the union of both, the
    /// credentials file winning, as the CLI and SDKs read them.
    /// </summary>
    public sealed class AwsSharedConfig
    {
        private readonly Dictionary<string, Dictionary<string, string>> _credentials;
        private readonly Dictionary<string, Dictionary<string, string>> _config;

        private AwsSharedConfig(string credentialsPath, string configPath)
        {
            CredentialsPath = credentialsPath;
            ConfigPath = configPath;
            _credentials = Read(credentialsPath, configStyle: false);
            _config = Read(configPath, configStyle: true);
        }

        public string CredentialsPath { get; }
        public string ConfigPath { get; }

        public static AwsSharedConfig Load(Func<string, string?> environment)
        {
            var home = environment("HOME") ?? environment("USERPROFILE") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var credentials = environment("AWS_SHARED_CREDENTIALS_FILE") ?? Path.Combine(home, ".aws", "credentials");
            var config = environment("AWS_CONFIG_FILE") ?? Path.Combine(home, ".aws", "config");
            return new AwsSharedConfig(Expand(credentials, home), Expand(config, home)) { SsoCacheDirectory = Path.Combine(home, ".aws", "sso", "cache") };
        }

        /// <summary>Every setting of <paramref name="profile"/>, or null when neither file has it.</summary>
        public IReadOnlyDictionary<string, string>? Profile(string profile)
        {
            var found = false;
            var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (_config.TryGetValue(profile, out var fromConfig))
            {
                found = true;
                foreach (var pair in fromConfig) merged[pair.Key] = pair.Value;
            }
            if (_credentials.TryGetValue(profile, out var fromCredentials))
            {
                found = true;
                foreach (var pair in fromCredentials) merged[pair.Key] = pair.Value;
            }
            return found ? merged : null;
        }

        /// <summary>The settings of [sso-session <paramref name="name"/>] in the config file, or null.</summary>
        public IReadOnlyDictionary<string, string>? SsoSession(string name) =>
            _config.TryGetValue("\0sso-session " + name, out var section) ? section : null;

        /// <summary>Where `aws sso login` keeps its tokens: the cache folder beside the config file's home.</summary>
        public string SsoCacheDirectory { get; private set; } = string.Empty;

        public IEnumerable<string> ProfileNames()
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            names.UnionWith(_credentials.Keys);
            foreach (var name in _config.Keys)
                if (name.Length > 0 && name[0] != '\0') names.Add(name);
            return names;
        }

        private static string Expand(string path, string home) =>
            path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(home, path.Substring(2)) : path;

        /// <summary>
        /// INI as the CLI writes it: [section], key = value, '#' or ';' comments, indented lines continuing the key above
        /// (the nested s3 = ... blocks, which this module ignores). In the config file a section other than [default]
        /// names a profile only as [profile name]; [sso-session x] and [services x] are other things.
        /// </summary>
        private static Dictionary<string, Dictionary<string, string>> Read(string path, bool configStyle)
        {
            var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            if (!File.Exists(path)) return sections;
            Dictionary<string, string>? current = null;
            foreach (var raw in File.ReadAllLines(path))
            {
                var line = raw.TrimEnd();
                var trimmed = line.TrimStart();
                if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == ';') continue;
                if (trimmed[0] == '[' && trimmed.EndsWith("]", StringComparison.Ordinal))
                {
                    var name = trimmed.Substring(1, trimmed.Length - 2).Trim();
                    if (configStyle && name != "default")
                        name = name.StartsWith("profile ", StringComparison.Ordinal) ? name.Substring(8).Trim() : "\0" + name;
                    if (!sections.TryGetValue(name, out current)) sections[name] = current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    continue;
                }
                if (current is null || line.Length > 0 && char.IsWhiteSpace(line[0])) continue;
                var eq = trimmed.IndexOf('=');
                if (eq <= 0) continue;
                current[trimmed.Substring(0, eq).Trim()] = trimmed.Substring(eq + 1).Trim();
            }
            return sections;
        }
    }
}
