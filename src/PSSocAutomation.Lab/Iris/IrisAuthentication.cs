using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// What ac_api_requires and ac_api_case_requires do before a route's own checks: the CSRF check, then the API key
/// (Authorization with one "Bearer " stripped, X-IRIS-AUTH from 2.4.8, ?api_key= up to 2.4.7). Hosting runs it once a
/// request has matched a route, as Flask routes first.
/// </summary>
internal sealed class IrisAuthentication
{
    private const string UserItem = "iris.user";
    private readonly IrisLab _lab;

    public IrisAuthentication(IrisLab lab) => _lab = lab;

    /// <summary>The user a route runs as, set when the request authenticated.</summary>
    public static IrisUser UserOf(HttpContext context) =>
        context.Items.TryGetValue(UserItem, out var user) && user is IrisUser u
            ? u
            : throw new InvalidOperationException("An IRIS route ran without an authenticated user.");

    /// <summary>Null when the key is good (the caller is recorded and gets a session cookie); else IRIS's refusal.</summary>
    public IrisReply? Authenticate(HttpContext context)
    {
        var request = context.Request;
        var version = _lab.CurrentVersion;
        if (HttpMethods.IsPost(request.Method) && request.Cookies.ContainsKey("session"))
        {
            // ≤2.4.7 CSRF-checks every POST that carries a session cookie; 2.4.8 exempts requests that carry a key header.
            var exempt = version.IrisAuthHeader && (request.Headers.ContainsKey("X-IRIS-AUTH") || request.Headers.ContainsKey("Authorization"));
            if (!exempt) return IrisEnvelope.Error("Invalid CSRF token");
        }

        IrisUser? user;
        lock (_lab.Store.Sync) user = FindUser(request, version);
        if (user is null) return IrisEnvelope.AuthenticationRequired();
        context.Items[UserItem] = user;
        LabRequest.SetPrincipal(context, user.Login);
        // ac_api_requires stores the permissions in the Flask session, so API answers set a session cookie: a client
        // that keeps cookies sends it back, which is exactly what trips the CSRF check above.
        context.Response.Headers.Append("Set-Cookie", "session=" + SessionValue(user) + "; Secure; HttpOnly; Path=/; SameSite=Lax");
        return null;
    }

    private IrisUser? FindUser(HttpRequest request, IrisVersion version)
    {
        var headers = request.Headers;
        var candidates = new List<string?>();
        if (version.ApiKeyQueryParameter) candidates.Add(request.Query["api_key"] is { Count: > 0 } key ? key[0] : null);
        if (version.IrisAuthHeader) candidates.Add(headers["X-IRIS-AUTH"].ToString());
        var authorization = headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            // replace('Bearer ', '', 1): the first occurrence anywhere goes, so a raw key works too.
            var at = authorization.IndexOf("Bearer ", StringComparison.Ordinal);
            candidates.Add(at < 0 ? authorization : authorization.Remove(at, "Bearer ".Length));
        }
        return candidates.Select(_lab.Store.UserByKey).FirstOrDefault(u => u is not null);
    }

    private static string SessionValue(IrisUser user)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var payload = Encoding.UTF8.GetBytes($"{{\"permissions\":{(long)user.Permissions}}}");
        return B64(payload) + "." + B64(RandomNumberGenerator.GetBytes(4)) + "." + B64(RandomNumberGenerator.GetBytes(20));
    }
}
