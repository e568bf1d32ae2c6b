using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// Maps IRIS routes onto minimal APIs and runs IRIS's decorators around them, in IRIS's order:
/// Flask routing (wrong method → 405, a path parameter its converter refuses → 404) before anything else, then the
/// CSRF check and the API key (<see cref="IrisAuthentication"/>, which Hosting runs once a route matched), then
/// ac_api_requires' group permission (403) or ac_api_case_requires' cid and case access (404/403). Handlers run under
/// the store lock and return a finished reply. A path no route has is one the Lab does not emulate (400).
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
        _routes.AddRange(Methods(method).Select(m => (m, Segments(pattern))));
        // Flask's <int:> converter takes digits only; ASP.NET's int also takes a sign, which Flask leaves to its 404.
        // With the constraint in the template, such a path matches no route, so Hosting asks no key for it.
        var template = pattern.Replace(":int}", ":regex(^[0-9]+\\z)}", StringComparison.Ordinal);
        _app.MapMethods(template, Methods(method), (HttpContext context) => RunAsync(context, gate, handler));
    }

    // Flask answers HEAD wherever it answers GET.
    private static string[] Methods(string method) => method == "GET" ? ["GET", "HEAD"] : [method];

    /// <summary>
    /// What a request no route took gets: Flask's 405 when the path exists for another method, IRIS's 404 handler when
    /// an emulated route's &lt;int:&gt; converter refused a segment, and the Lab's "not emulated" 400 for any other path.
    /// </summary>
    public IrisReply Unmatched(HttpRequest request)
    {
        var path = Segments(request.Path.Value ?? "/");
        if (_routes.Any(r => Matches(r.Segments, path, strict: true))) return IrisEnvelope.MethodNotAllowed();
        if (_routes.Any(r => Matches(r.Segments, path, strict: false))) return IrisEnvelope.NotFound(request);
        return IrisEnvelope.NotEmulated(request);
    }

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Strict: as Flask matches (an &lt;int:&gt; segment must be digits); not strict: any value in a parameter.</summary>
    private static bool Matches(string[] pattern, string[] path, bool strict) =>
        pattern.Length == path.Length && pattern.Zip(path).All(p => p.First.StartsWith('{')
            ? !strict || !p.First.Contains(":int", StringComparison.Ordinal) || (p.Second.Length > 0 && p.Second.All(char.IsAsciiDigit))
            : string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));

    private async Task RunAsync(HttpContext context, Func<IrisRequest, IrisReply?> gate, Func<IrisRequest, IrisReply> handler)
    {
        var request = new IrisRequest(context, _lab, _lab.CurrentVersion);
        IrisReply reply;
        try
        {
            await request.ReadBodyAsync().ConfigureAwait(false);
            lock (_lab.Store.Sync)
            {
                // Read again under the lock: a test may have changed the user's permissions since the key was checked.
                var authenticated = IrisAuthentication.UserOf(context);
                request.User = _lab.Store.User(authenticated.Id) ?? authenticated;
                reply = gate(request) ?? handler(request);
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
