using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Aws;

/// <summary>A token <see cref="AwsSsoService.IssueToken"/> made: what `aws sso login` would have written to the cache.</summary>
public sealed record SsoIssuedToken(string AccessToken, string RefreshToken, string ClientId, string ClientSecret, DateTimeOffset ExpiresAt);

/// <summary>
/// IAM Identity Center's two unsigned endpoints a client meets after `aws sso login`: the portal's GetRoleCredentials
/// (GET /federation/credentials?account_id=&amp;role_name= with the x-amz-sso_bearer_token header, rest-json, answering
/// roleCredentials with expiration in epoch milliseconds) and SSO-OIDC's CreateToken (POST /token, grantType
/// refresh_token), which renews an expired access token. The role credentials it hands out are the Lab's temporary
/// session keys, so what a client signs with them verifies. Tests issue a token with <see cref="IssueToken"/>.
/// </summary>
public sealed class AwsSsoService : IAwsEmulatedService
{
    public const string Name = "awsssoportal";

    private readonly AwsLab _aws;
    private readonly ConcurrentDictionary<string, (string Account, string Role, DateTimeOffset ExpiresAt)> _access = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Account, string Role, string ClientId)> _refresh = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _calls = new();

    internal AwsSsoService(AwsLab aws) => _aws = aws;

    public string SigningName => Name;
    public AwsProtocol Protocol => AwsProtocol.RestJson;
    public string RegionFor(string labRegion) => labRegion;

    /// <summary>GetRoleCredentials and CreateToken calls answered, in order ("GetRoleCredentials 200").</summary>
    public IReadOnlyList<string> Calls => _calls.ToArray();

    /// <summary>A signed-in session for <paramref name="roleName"/> in <paramref name="accountId"/>, valid for <paramref name="lifetime"/> (default 8 hours; negative: already expired).</summary>
    public SsoIssuedToken IssueToken(string accountId, string roleName, TimeSpan? lifetime = null)
    {
        var access = "aoa" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var refresh = "aor" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var clientId = Convert.ToHexString(RandomNumberGenerator.GetBytes(11)).ToLowerInvariant();
        var expires = _aws.Now + (lifetime ?? TimeSpan.FromHours(8));
        _access[access] = (accountId, roleName, expires);
        _refresh[refresh] = (accountId, roleName, clientId);
        return new SsoIssuedToken(access, refresh, clientId, "secret-" + clientId, expires);
    }

    public void Reset()
    {
        _access.Clear();
        _refresh.Clear();
        _calls.Clear();
    }

    public LabResponse Error(HttpContext context, int status, string code, string message) => AwsErrors.RestJson(status, code, message);

    public LabResponse Fault(HttpContext context, int status) =>
        Error(context, status, status == 429 ? "TooManyRequestsException" : status >= 500 ? "InternalServerException" : "InvalidRequestException", "Injected fault " + status.ToString(CultureInfo.InvariantCulture));

    public async Task<LabResponse> HandleAsync(HttpContext context, AwsCaller? caller, byte[] body)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) && request.Path == "/federation/credentials") return Record("GetRoleCredentials", RoleCredentials(request));
        if (HttpMethods.IsPost(request.Method) && request.Path == "/token") return Record("CreateToken", CreateToken(body));
        await Task.CompletedTask.ConfigureAwait(false);
        return Error(context, 404, "ResourceNotFoundException", LabResponse.NotEmulatedMessage(request));
    }

    private LabResponse Record(string operation, LabResponse response)
    {
        _calls.Enqueue(operation + " " + response.Status.ToString(CultureInfo.InvariantCulture));
        return response;
    }

    private LabResponse RoleCredentials(HttpRequest request)
    {
        var token = request.Headers["x-amz-sso_bearer_token"].ToString();
        var account = request.Query["account_id"].ToString();
        var role = request.Query["role_name"].ToString();
        if (account.Length == 0 || role.Length == 0)
            return AwsErrors.RestJson(400, "InvalidRequestException", "account_id and role_name are required");
        if (token.Length == 0 || !_access.TryGetValue(token, out var session) || session.ExpiresAt <= _aws.Now)
            return AwsErrors.RestJson(401, "UnauthorizedException", "Session token not found or invalid");
        if (session.Account != account || session.Role != role)
            return AwsErrors.RestJson(403, "ForbiddenException", "No access");
        var c = _aws.Credentials;
        var body = new JsonObject
        {
            ["roleCredentials"] = new JsonObject
            {
                ["accessKeyId"] = c.AwsSessionAccessKeyId,
                ["secretAccessKey"] = c.AwsSessionSecretAccessKey,
                ["sessionToken"] = c.AwsSessionToken,
                ["expiration"] = (_aws.Now + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(),
            },
        };
        return new LabResponse(200, "application/json", body.ToJsonString());
    }

    private LabResponse CreateToken(byte[] body)
    {
        JsonObject? input;
        try
        {
            input = JsonNode.Parse(body)?.AsObject();
        }
        catch (JsonException)
        {
            input = null;
        }
        var grant = (string?)input?["grantType"];
        var refresh = (string?)input?["refreshToken"];
        var clientId = (string?)input?["clientId"];
        if (input is null || grant != "refresh_token" || string.IsNullOrEmpty((string?)input["clientSecret"]))
            return OidcError(400, "InvalidRequestException", "invalid_request", "grantType refresh_token with clientId, clientSecret and refreshToken is required");
        if (refresh is null || !_refresh.TryRemove(refresh, out var session) || session.ClientId != clientId)
            return OidcError(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token provided");
        var renewed = IssueToken(session.Account, session.Role);
        // The client keeps its registration: the renewed refresh token belongs to the same client id.
        _refresh.TryRemove(renewed.RefreshToken, out _);
        _refresh[renewed.RefreshToken] = (session.Account, session.Role, session.ClientId);
        var answer = new JsonObject
        {
            ["accessToken"] = renewed.AccessToken,
            ["tokenType"] = "Bearer",
            ["expiresIn"] = (int)(renewed.ExpiresAt - _aws.Now).TotalSeconds,
            ["refreshToken"] = renewed.RefreshToken,
        };
        return new LabResponse(200, "application/json", answer.ToJsonString());
    }

    /// <summary>SSO-OIDC errors carry error and error_description (OAuth's names) with the exception type in x-amzn-ErrorType.</summary>
    private static LabResponse OidcError(int status, string type, string error, string description) =>
        new(status, "application/json", new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString())
        {
            Headers = [new("x-amzn-ErrorType", type)],
        };
}
