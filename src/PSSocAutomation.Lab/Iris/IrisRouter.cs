using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// Maps IRIS routes onto minimal APIs and runs IRIS's decorators around them, in IRIS's order:
/// Flask routing (unknown path → 404, wrong method → 405) before anything else, then the CSRF check, then the API key
/// (401), then ac_api_requires' group permission (403) or ac_api_case_requires' cid and case access (404/403).
/// Handlers run under the store lock and return a finished reply.
/// </summary>
internal sealed class IrisRouter
{
    private readonly WebApplication _app;
    private readonly IrisLab _lab;
    private readonly List<(string Method, string[] Segments)> _routes = new();

    public IrisRouter(WebApplication app, IrisLab lab)
    {
        _app = app;
        _lab = lab;
    }

    /// <summary>A route behind ac_api_requires(*permissions): the user needs any one of them (none listed: any user).</summary>
    public void Api(string method, string pattern, IrisPermissions permissions, Func<IrisRequest, IrisReply> handler) =>
        Map(method, pattern, r => RequirePermission(r, permissions), handler);

    /// <summary>A route behind ac_api_case_requires(*levels): the case comes from ?cid=, the body's cid, or the user's UI context.</summary>
    public void Case(string method, string pattern, bool write, Func<IrisRequest, IrisReply> handler) =>
        Map(method, pattern, r => ResolveCase(r, write), handler);

    private void Map(string method, string pattern, Func<IrisRequest, IrisReply?> gate, Func<IrisRequest, IrisReply> handler)
    {
        // Flask answers HEAD wherever it answers GET.
        string[] methods = method == "GET" ? ["GET", "HEAD"] : [method];
        foreach (var m in methods) _routes.Add((m, Segments(pattern)));
        _app.MapMethods(pattern, methods, (HttpContext context) => RunAsync(context, gate, handler));
    }

    public void MapFallback() => _app.MapFallback((HttpContext context) =>
    {
        var path = Segments(context.Request.Path.Value ?? "/");
        // Flask answers 405 when the path exists for another method; only unknown paths reach IRIS's 404 handler.
        var known = _routes.Any(r => Matches(r.Segments, path));
        return (known ? IrisEnvelope.MethodNotAllowed() : IrisEnvelope.NotFound(context.Request)).WriteAsync(context);
    });

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static bool Matches(string[] pattern, string[] path) =>
        pattern.Length == path.Length && pattern.Zip(path).All(p => p.First.StartsWith('{')
            ? !p.First.Contains(":int", StringComparison.Ordinal) || p.Second.All(char.IsAsciiDigit)
            : string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));

    private async Task RunAsync(HttpContext context, Func<IrisRequest, IrisReply?> gate, Func<IrisRequest, IrisReply> handler)
    {
        // Every route parameter here is <int:...>: Flask's converter takes digits only, ASP.NET's also takes a sign.
        if (context.Request.RouteValues.Values.Any(v => v is string s && !s.All(char.IsAsciiDigit)))
        {
            await IrisEnvelope.NotFound(context.Request).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var request = new IrisRequest(context, _lab, _lab.CurrentVersion);
        IrisReply reply;
        try
        {
            await request.ReadBodyAsync().ConfigureAwait(false);
            lock (_lab.Store.Sync)
            {
                reply = Authenticate(request) ?? gate(request) ?? handler(request);
            }
        }
        catch (IrisReplyException e)
        {
            reply = e.Reply;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An exception the IRIS route does not catch: Flask's 500 page. Kept so a test can see what broke.
            _lab.LastServerError = e;
            reply = IrisEnvelope.InternalServerError();
        }
        await reply.WriteAsync(context).ConfigureAwait(false);
    }

    /// <summary>The CSRF check, then the API key. On success the caller is recorded and gets a session cookie.</summary>
    private IrisReply? Authenticate(IrisRequest r)
    {
        var headers = r.Http.Request.Headers;
        if (HttpMethods.IsPost(r.Method) && r.HasSessionCookie)
        {
            // ≤2.4.7 CSRF-checks every POST that carries a session cookie; 2.4.8 exempts requests that carry a key header.
            var exempt = r.Version.IrisAuthHeader && (headers.ContainsKey("X-IRIS-AUTH") || headers.ContainsKey("Authorization"));
            if (!exempt) return IrisEnvelope.Error("Invalid CSRF token");
        }

        var user = FindUser(r);
        if (user is null) return IrisEnvelope.AuthenticationRequired();
        r.User = user;
        LabRequest.SetPrincipal(r.Http, user.Login);
        // ac_api_requires stores the permissions in the Flask session, so API answers set a session cookie: a client
        // that keeps cookies sends it back, which is exactly what trips the CSRF check above.
        r.Http.Response.Headers.Append("Set-Cookie", "session=" + SessionValue(user) + "; Secure; HttpOnly; Path=/; SameSite=Lax");
        return null;
    }

    private IrisUser? FindUser(IrisRequest r)
    {
        var headers = r.Http.Request.Headers;
        var candidates = new List<string?>();
        if (r.Version.ApiKeyQueryParameter) candidates.Add(r.Query("api_key"));
        if (r.Version.IrisAuthHeader) candidates.Add(headers["X-IRIS-AUTH"].ToString());
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

    private static IrisReply? RequirePermission(IrisRequest r, IrisPermissions any)
    {
        if (any == IrisPermissions.None) return null;
        return (r.User.Permissions & any) != 0 ? null : IrisEnvelope.PermissionDenied();
    }

    /// <summary>
    /// get_case_access for API calls: ?cid= when it is a non-zero integer; else the JSON body's "cid" (popped);
    /// else the user's UI context case. A falsy cid gives 404 "Invalid case ID"; a case the user cannot reach
    /// (including one that does not exist) gives 403 with the user, the cid as sent, and an error uuid.
    /// </summary>
    private static IrisReply? ResolveCase(IrisRequest r, bool write)
    {
        JsonNode? cid;
        if (r.QueryInt("cid") is long q && q != 0)
        {
            cid = q;
        }
        else
        {
            var (failed, body) = r.BodyForCid();
            if (failed) cid = r.HasSessionCookie ? 0 : r.User.CtxCase;
            else if (!Py.Truthy(body)) cid = r.User.CtxCase;
            else if (body is JsonObject o && o.TryGetPropertyValue("cid", out var sent))
            {
                o.Remove("cid");
                cid = sent?.DeepClone();
            }
            else cid = r.HasSessionCookie ? 0 : r.User.CtxCase;
        }

        // The access query compares cid with an integer column: a non-numeric value is a database error (500).
        var kind = Py.Kind(cid);
        if (kind is PyKind.Bool or PyKind.List or PyKind.Dict || (kind == PyKind.Str && Py.Str(cid)!.Length > 0 && Py.IntOf(cid) is null))
            throw new IrisPythonException("invalid input syntax for type integer");
        if (!Py.Truthy(cid)) return IrisEnvelope.InvalidCaseId();

        var caseId = Py.SqlInt(cid) is long id ? (int)Math.Clamp(id, int.MinValue, int.MaxValue) : 0;
        var allowed = write ? r.Store.CanWrite(r.User, caseId) : r.Store.CanRead(r.User, caseId);
        if (!allowed) return IrisEnvelope.CaseAccessDenied(r.User.Id, cid);
        r.CaseId = caseId;
        return null;
    }
}
