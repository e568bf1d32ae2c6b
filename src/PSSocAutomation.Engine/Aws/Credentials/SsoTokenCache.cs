using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Aws.Credentials
{
    /// <summary>
    /// The token `aws sso login` wrote: ~/.aws/sso/cache/&lt;sha1 of the sso-session name, or of the start URL for a
    /// legacy profile&gt;.json, with accessToken and expiresAt, and for an sso-session the clientId, clientSecret and
    /// refreshToken that renew it. Renewed tokens are written back the way the CLI does, so both keep using one session.
    /// </summary>
    public sealed class SsoToken
    {
        private readonly JsonObject _document;

        private SsoToken(string path, JsonObject document)
        {
            Path = path;
            _document = document;
        }

        public string Path { get; }
        public string? AccessToken => (string?)_document["accessToken"];
        public DateTimeOffset? ExpiresAt => DateTimeOffset.TryParse((string?)_document["expiresAt"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
        public string? RefreshToken => (string?)_document["refreshToken"];
        public string? ClientId => (string?)_document["clientId"];
        public string? ClientSecret => (string?)_document["clientSecret"];
        public DateTimeOffset? RegistrationExpiresAt => DateTimeOffset.TryParse((string?)_document["registrationExpiresAt"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;

        /// <summary>Can it be renewed without a browser: a refresh token and a client registration that is still valid.</summary>
        public bool CanRefresh(DateTimeOffset now) =>
            RefreshToken != null && ClientId != null && ClientSecret != null && !(RegistrationExpiresAt is DateTimeOffset end && end <= now);

        /// <summary>The cache file for <paramref name="key"/> (the sso-session name, or a legacy profile's start URL).</summary>
        public static string PathFor(string cacheDirectory, string key)
        {
            using var sha1 = SHA1.Create();
            var hash = sha1.ComputeHash(Encoding.UTF8.GetBytes(key));
            var hex = new StringBuilder(hash.Length * 2);
            foreach (var b in hash) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return System.IO.Path.Combine(cacheDirectory, hex + ".json");
        }

        /// <summary>The token in the cache, or null when there is none (never signed in, or the file is not a token).</summary>
        public static SsoToken? Read(string path)
        {
            try
            {
                if (!File.Exists(path)) return null;
                return JsonNode.Parse(File.ReadAllText(path)) is JsonObject document ? new SsoToken(path, document) : null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is JsonException)
            {
                return null;
            }
        }

        /// <summary>Writes a renewed token (through a temporary file, so a reader never sees half of one).</summary>
        public void Renew(string accessToken, DateTimeOffset expiresAt, string? refreshToken)
        {
            _document["accessToken"] = accessToken;
            _document["expiresAt"] = expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            if (refreshToken != null) _document["refreshToken"] = refreshToken;
            var temporary = Path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, _document.ToJsonString());
            if (File.Exists(Path)) File.Replace(temporary, Path, null);
            else File.Move(temporary, Path);
        }
    }
}
