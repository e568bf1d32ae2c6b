using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PSSocAutomation.Lab.Iris;

/// <summary>
/// One request as an IRIS route sees it: the authenticated user, the resolved case (for /case/* routes), the query
/// string the way Flask's request.args reads it, and the body the way request.get_json() reads it.
/// </summary>
internal sealed class IrisRequest
{
    private string _body = string.Empty;
    private bool _parsed;
    private JsonNode? _json;
    private bool _jsonBroken;

    public IrisRequest(HttpContext http, IrisLab lab, IrisVersion version)
    {
        Http = http;
        Lab = lab;
        Version = version;
    }

    public HttpContext Http { get; }
    public IrisLab Lab { get; }
    public IrisStore Store => Lab.Store;
    public IrisVersion Version { get; }
    public IrisUser User { get; set; } = null!;
    /// <summary>The case a /case/* route works on, after the cid rules ran.</summary>
    public int CaseId { get; set; }

    public string Method => Http.Request.Method;

    public async Task ReadBodyAsync()
    {
        using var reader = new StreamReader(Http.Request.Body, Encoding.UTF8);
        _body = await reader.ReadToEndAsync(Http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>request.args.get(name): the first value, or null.</summary>
    public string? Query(string name)
    {
        var values = Http.Request.Query[name];
        return values.Count > 0 ? values[0] : null;
    }

    public long? QueryInt(string name) => Py.QueryInt(Query(name));

    public int RouteInt(string name) =>
        int.TryParse(Http.GetRouteValue(name) as string, System.Globalization.NumberStyles.None, null, out var v) ? v : -1;

    public bool HasSessionCookie => Http.Request.Cookies.ContainsKey("session");

    /// <summary>request.is_json: application/json or application/*+json, parameters ignored.</summary>
    public bool IsJson
    {
        get
        {
            var mime = (Http.Request.ContentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();
            return mime == "application/json" || (mime.StartsWith("application/", StringComparison.Ordinal) && mime.EndsWith("+json", StringComparison.Ordinal));
        }
    }

    private void Parse()
    {
        if (_parsed) return;
        _parsed = true;
        try
        {
            _json = _body.Length == 0 ? throw new JsonException("empty body") : JsonNode.Parse(_body);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            _jsonBroken = true;
        }
    }

    /// <summary>
    /// request.get_json(): werkzeug answers 415 (HTML) when the Content-Type is not JSON, and 400 (HTML) when the
    /// body is empty or not JSON. Otherwise the parsed value, which may be any JSON type.
    /// </summary>
    public JsonNode? Json()
    {
        if (!IsJson) throw new IrisReplyException(IrisEnvelope.UnsupportedMediaType());
        Parse();
        if (_jsonBroken) throw new IrisReplyException(IrisEnvelope.BadRequest());
        return _json;
    }

    /// <summary>A body the route then treats as a dict; anything else breaks the route's .get()/.pop() calls.</summary>
    public JsonObject JsonObject() =>
        Json() as JsonObject ?? throw new IrisPythonException($"'{Py.TypeName(_json)}' object has no attribute 'get'");

    /// <summary>
    /// What _get_caseid_from_request_data sees: it parses the body only when the Content-Type header is exactly
    /// "application/json" (so "application/json; charset=utf-8" bodies are never read for a cid), and a parse failure
    /// is an exception, not a 400.
    /// </summary>
    public (bool Failed, JsonNode? Value) BodyForCid()
    {
        if (!string.Equals(Http.Request.ContentType, "application/json", StringComparison.Ordinal)) return (false, null);
        Parse();
        return _jsonBroken ? (true, null) : (false, _json);
    }
}
