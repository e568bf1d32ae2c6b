using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// The security realm in front of every route: Basic (the elastic user), ApiKey base64(id:key), and Bearer tokens.
/// Failures are ES's 401 security_exception with the WWW-Authenticate challenges; no secret is ever echoed.
/// </summary>
internal sealed class ElasticAuthentication
{
    private static readonly string[] Challenges =
    {
        "Basic realm=\"security\" charset=\"UTF-8\"",
        "Bearer realm=\"security\"",
        "ApiKey",
    };

    private readonly LabCredentials _credentials;

    public ElasticAuthentication(LabCredentials credentials) => _credentials = credentials;

    /// <summary>Who the request is, as ES's _authenticate would say; throws the 401 otherwise.</summary>
    public Principal Authenticate(HttpContext context)
    {
        var uri = (context.Request.Path.Value ?? "/") + context.Request.QueryString.Value;
        var header = context.Request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ');
        var scheme = space > 0 ? header[..space] : header;
        var value = space > 0 ? header[(space + 1)..].Trim() : string.Empty;
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            var (user, password) = Decode(value);
            if (user is not null && Same(user, _credentials.ElasticUser) && Same(password ?? string.Empty, _credentials.ElasticPassword))
                return new Principal(user, "realm", null);
            throw Unauthorized($"unable to authenticate user [{user ?? string.Empty}] for REST request [{uri}]", null);
        }
        if (scheme.Equals("ApiKey", StringComparison.OrdinalIgnoreCase))
        {
            var (id, key) = Decode(value);
            if (id is not null && Same(id, _credentials.ElasticApiKeyId) && Same(key ?? string.Empty, _credentials.ElasticApiKey))
                return new Principal(_credentials.ElasticUser, "api_key", id);
            var detail = id is null
                ? "API key: invalid ApiKey value"
                : Same(id, _credentials.ElasticApiKeyId) ? $"API key: invalid credentials for API key [{id}]" : $"API key: unable to find apikey with id {id}";
            throw Unauthorized("unable to authenticate with provided credentials and anonymous access is not allowed for this request", detail);
        }
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            if (value.Length > 0 && Same(value, _credentials.ElasticBearerToken)) return new Principal(_credentials.ElasticUser, "token", null);
            throw Unauthorized("unable to authenticate with provided credentials and anonymous access is not allowed for this request",
                "OAuth2 token: token malformed");
        }
        // No header, or a scheme no realm understands: to ES that is no credentials at all.
        throw Unauthorized($"missing authentication credentials for REST request [{uri}]", null);
    }

    private static (string? First, string? Second) Decode(string base64)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var colon = text.IndexOf(':');
            return colon < 0 ? (null, null) : (text[..colon], text[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static ElasticException Unauthorized(string reason, string? unsuccessful)
    {
        var cause = new ElasticErrorCause("security_exception", reason);
        if (unsuccessful is not null) cause.With("additional_unsuccessful_credentials", unsuccessful);
        cause.With("header", (Action<System.Text.Json.Utf8JsonWriter>)(writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("WWW-Authenticate");
            writer.WriteStartArray();
            foreach (var challenge in Challenges) writer.WriteStringValue(challenge);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }));
        var error = new ElasticException(401, cause);
        foreach (var challenge in Challenges) error.Headers.Add(new("WWW-Authenticate", challenge));
        return error;
    }
}

/// <summary>An authenticated caller: the user, how it authenticated, and the API key id when it used one.</summary>
internal sealed record Principal(string User, string AuthenticationType, string? ApiKeyId)
{
    /// <summary>What the journal records: the API key id for API keys, the user otherwise.</summary>
    public string JournalName => ApiKeyId ?? User;
}
