using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// How DFIR-IRIS reports failures, in all its shapes: the {"status":"error","message","data"} envelope (also on
    /// HTTP 200), marshmallow "Data error" with field lists, the str() of a Python error dict on alert routes, the bare
    /// "Error creating case - check server logs" of 2.4.8+, 400 for "not found", 403 with a case id for a case out of
    /// reach, and Flask's HTML pages.
    /// </summary>
    internal sealed class IrisErrors : IVendorErrors
    {
        public const string Service = "DFIR-IRIS";
        public static readonly IrisErrors Instance = new IrisErrors();

        internal const string GenericCaseCreate = "Error creating case - check server logs";
        internal const string GenericCaseUpdate = "Error updating case - check server logs";

        public string ServiceName => Service;

        public SocApiException Refine(SocApiException failure) => Reword(failure);

        /// <summary>IRIS answers errors in its JSON envelope; its HTML pages the pipeline names itself, other text it quotes.</summary>
        public (string? Type, string? Reason) Describe(int status, string? contentType, ReadOnlyMemory<byte> body)
        {
            if (!ResponseBody.TryParseJson(body, out var doc)) return (null, null);
            using (doc) return Describe(status, doc!.RootElement);
        }

        public (string? Type, string? Reason) Describe(int status, JsonElement body)
        {
            if (body.ValueKind != JsonValueKind.Object) return (null, null);
            var message = body.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var data = body.TryGetProperty("data", out var d) ? d : default;
            // /api/v2 (2.5 beta) errors have no status but the same message/data.
            return DescribeMessage(status, message, data);
        }

        internal static (string? Type, string? Reason) DescribeMessage(int status, string? message, JsonElement data)
        {
            if (string.IsNullOrEmpty(message) && data.ValueKind != JsonValueKind.Object) return (null, null);
            message ??= string.Empty;

            // marshmallow: {"message":"Data error","data":{"field":["msg"]}} (and nested lists for many=True loads).
            if (data.ValueKind == JsonValueKind.Object && data.EnumerateObject().Any() && !IsCaseAccessData(data))
            {
                var fields = FieldErrors.FromJson(data);
                if (fields.Count > 0) return (message.Length == 0 ? "Data error" : message, FieldErrors.Format(fields));
            }

            // Alert routes: message = str(ValidationError.messages), a Python dict repr.
            if (PythonLiteral.LooksLikeDict(message) && PythonLiteral.TryParse(message, out var parsed))
            {
                var fields = FieldErrors.FromPython(parsed);
                if (fields.Count > 0) return ("Validation error", FieldErrors.Format(fields));
            }

            if (status == 403 && IsCaseAccessData(data))
            {
                var caseId = data.TryGetProperty("case_id", out var c) ? Scalar(c) : null;
                var uuid = data.TryGetProperty("error_uuid", out var u) ? Scalar(u) : null;
                return (message, $"case {caseId ?? "(none)"} does not exist or the API user has no access to it" + (uuid is null ? string.Empty : $" (error_uuid {uuid})"));
            }

            if (message == GenericCaseCreate || message == GenericCaseUpdate)
                return (message, "IRIS 2.4.8 and later hide the field that failed. The usual causes: a customer the API user is not linked to, a classification, template or severity id that does not exist, or a field this version does not accept.");

            return (message.Length == 0 ? null : Shorten(message), null);
        }

        public string? Advice(ApiFailureKind kind, int? status, string? vendorType)
        {
            var type = vendorType ?? string.Empty;
            if (type.IndexOf("not entitled", StringComparison.OrdinalIgnoreCase) >= 0)
                return "Link the API user to the alert's customer in IRIS (Advanced > Access control > the user > Customers, or POST /manage/users/<id>/customers/update).";
            if (type.IndexOf("CSRF", StringComparison.OrdinalIgnoreCase) >= 0)
                return "IRIS 2.4.7 and earlier CSRF-check any POST that carries a session cookie; something between the module and IRIS is adding one. Remove the cookie-adding proxy.";
            if (type == GenericCaseCreate || type == GenericCaseUpdate)
                return "Check the customer, classification, template and severity given; see the IRIS server log for the exact field.";
            if (type == "Invalid case ID") return "Give a positive case id.";
            if (type.StartsWith("Endpoint deprecated", StringComparison.Ordinal))
                return "This IRIS version retired the endpoint; upgrade the module or report the route it used.";
            if (type == "Resource not found") return "The route does not exist on this IRIS version, or -Uri has a wrong path prefix.";
            if (type == "Authentication required" || kind == ApiFailureKind.Authentication)
                return "Check the -ApiKey given to Connect-Iris (IRIS: My settings > API key); renewing a key revokes the old one, and the user must be active.";
            switch (kind)
            {
                case ApiFailureKind.Permission:
                    return "The API user lacks the permission (alerts_read/alerts_write, customers_read, standard_user) or the case access this action needs.";
                case ApiFailureKind.Connection:
                    return "Check the -Uri given to Connect-Iris and that IRIS is running.";
                case ApiFailureKind.Timeout:
                    return "Check the -Uri given to Connect-Iris (the address of the IRIS web interface) and any proxy in between, or raise -TimeoutSec if IRIS is only slow.";
                case ApiFailureKind.InvalidRequest:
                    return "Fix the field IRIS names above.";
                default:
                    return null;
            }
        }

        /// <summary>
        /// The finishing touches the shared pipeline cannot know: IRIS answers 400 for objects that do not exist and an
        /// HTML 404 for routes it does not have; a 200 with status "error" is a failure too.
        /// </summary>
        internal static SocApiException Reword(SocApiException ex)
        {
            var type = ex.VendorType ?? string.Empty;
            ApiFailureKind? kind = null;
            string? message = null, advice = null;

            if (ex.Kind == ApiFailureKind.HtmlPage && ex.StatusCode == 404)
            {
                kind = ApiFailureKind.NotFound;
                message = $"{Service} has no route {ex.Method} {ex.Url} (it answered with its HTML \"not found\" page): this IRIS version may not have the endpoint, or -Uri has a wrong path prefix.";
            }
            else if (ex.Kind == ApiFailureKind.HtmlPage && ex.StatusCode == 500)
            {
                kind = ApiFailureKind.Status;
                message = $"{Service} failed with an internal error (HTTP 500) on {ex.Method} {ex.Url}. The IRIS server log has the Python traceback; a field of the wrong type (a list where IRIS expects a comma string, say) is the usual cause.";
            }
            else if (ex.Kind == ApiFailureKind.HtmlPage && ex.StatusCode == 415)
            {
                kind = ApiFailureKind.InvalidRequest;
                message = $"{Service} refused {ex.Method} {ex.Url} with HTTP 415: the body was not sent as application/json.";
            }
            else if (ex.StatusCode == 403 && CaseOutOfReach(ex) is string caseId)
            {
                // IRIS answers a case id that does not exist as it answers one out of reach; "not found" is what the user can act on.
                kind = ApiFailureKind.NotFound;
                advice = $"Check the case id (Get-IrisCase lists the cases the API user can see), or ask an IRIS administrator for access to case {caseId}.";
                message = $"{Service}: case {caseId} does not exist or the API user has no access to it ({ex.Method} {ex.Url} answered HTTP 403 \"{type}\", IRIS's answer to both). {advice}";
            }
            else if (ex.StatusCode == 400 && LooksNotFound(type))
            {
                kind = ApiFailureKind.NotFound;
            }
            else if (type.IndexOf("not entitled", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                kind = ApiFailureKind.Permission;
            }

            if (kind is null && message is null) return ex;
            var refined = ex.With(kind ?? ex.Kind, message ?? ex.Message);
            if (advice != null) refined.RecommendedAction = advice;
            return refined;
        }

        /// <summary>The case id of IRIS's case-access refusal (data: {user_id, case_id, error_uuid}), read from the body it sent.</summary>
        private static string? CaseOutOfReach(SocApiException ex)
        {
            if (ex.ResponseBody is null || !ResponseBody.TryParseJson(Encoding.UTF8.GetBytes(ex.ResponseBody), out var doc)) return null;
            using (doc)
            {
                var root = doc!.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || !IsCaseAccessData(data)) return null;
                return Scalar(data.GetProperty("case_id"));
            }
        }

        internal static bool LooksNotFound(string message) =>
            message.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0 ||
            message.StartsWith("Invalid IOC ID", StringComparison.Ordinal) || message.StartsWith("Invalid asset ID", StringComparison.Ordinal) ||
            message.StartsWith("Invalid note ID", StringComparison.Ordinal) || message.StartsWith("Invalid alert ID", StringComparison.OrdinalIgnoreCase) ||
            message.StartsWith("Invalid customer ID", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// An envelope whose status is not "success", whatever the HTTP status said. Read from the body with its secrets
        /// masked, as the pipeline reads every error body, so no cut of the message leaves part of one (the caller's own
        /// parse, made before masking, is not used for that reason).
        /// </summary>
        internal static SocApiException FromEnvelope(ApiResponse response, string method, SecretRedactor redactor)
        {
            var text = ApiErrorFactory.SafeText(redactor, response.Body);
            string? type = null, reason = null;
            if (ResponseBody.TryParseJson(Encoding.UTF8.GetBytes(text), out var safe))
                using (safe) (type, reason) = Instance.Describe(response.Status, safe!.RootElement);
            var kind = response.Status >= 200 && response.Status < 300 ? ApiFailureKind.InvalidRequest : ApiFailureKindOf(response.Status);
            if (type != null && LooksNotFound(type)) kind = ApiFailureKind.NotFound;
            if (type != null && type.IndexOf("not entitled", StringComparison.OrdinalIgnoreCase) >= 0) kind = ApiFailureKind.Permission;
            var advice = Instance.Advice(kind, response.Status, type);
            var what = type is null ? reason : reason is null ? type : type + ": " + reason;
            var message = $"{Service} rejected {method} {response.Url} (HTTP {response.Status}, status \"error\")" + (string.IsNullOrEmpty(what) ? "." : $": {what}.") + (advice is null ? string.Empty : " " + advice);
            return new SocApiException(kind, Service, message)
            {
                StatusCode = response.Status,
                Method = method,
                Url = response.Url,
                VendorType = type,
                VendorReason = reason,
                RecommendedAction = advice,
                ResponseBody = Shorten(text),
                Retries = response.Retries,
            }.Redacted(redactor);
        }

        private static ApiFailureKind ApiFailureKindOf(int status)
        {
            switch (status)
            {
                case 400: return ApiFailureKind.InvalidRequest;
                case 401: return ApiFailureKind.Authentication;
                case 403: return ApiFailureKind.Permission;
                case 404:
                case 410: return ApiFailureKind.NotFound;
                case 429: return ApiFailureKind.Throttled;
                default: return ApiFailureKind.Status;
            }
        }

        private static bool IsCaseAccessData(JsonElement data) =>
            data.ValueKind == JsonValueKind.Object && data.TryGetProperty("error_uuid", out _) && data.TryGetProperty("case_id", out _);

        private static string? Scalar(JsonElement e) =>
            e.ValueKind == JsonValueKind.String ? e.GetString() : e.ValueKind == JsonValueKind.Number ? e.GetRawText() : null;

        internal static string Shorten(string text) => text.Length <= 1000 ? text : text.Substring(0, 1000) + "…";
    }

    /// <summary>Field-level validation messages, flattened to "path: message" pairs in server order.</summary>
    internal static class FieldErrors
    {
        public static List<KeyValuePair<string, string>> FromJson(JsonElement data)
        {
            var list = new List<KeyValuePair<string, string>>();
            Walk(data, string.Empty, list);
            return list;
        }

        private static void Walk(JsonElement node, string path, List<KeyValuePair<string, string>> list)
        {
            switch (node.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in node.EnumerateObject()) Walk(p.Value, Join(path, p.Name), list);
                    break;
                case JsonValueKind.Array:
                    foreach (var item in node.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.String) list.Add(new KeyValuePair<string, string>(path, item.GetString()!));
                        else Walk(item, path, list);
                    }
                    break;
                case JsonValueKind.String:
                    list.Add(new KeyValuePair<string, string>(path, node.GetString()!));
                    break;
                case JsonValueKind.Number:
                case JsonValueKind.True:
                case JsonValueKind.False:
                    list.Add(new KeyValuePair<string, string>(path, node.GetRawText()));
                    break;
            }
        }

        public static List<KeyValuePair<string, string>> FromPython(object? value)
        {
            var list = new List<KeyValuePair<string, string>>();
            WalkPython(value, string.Empty, list);
            return list;
        }

        private static void WalkPython(object? node, string path, List<KeyValuePair<string, string>> list)
        {
            switch (node)
            {
                case List<KeyValuePair<object?, object?>> dict:
                    foreach (var entry in dict)
                        WalkPython(entry.Value, Join(path, Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "None"), list);
                    break;
                case List<object?> items:
                    foreach (var item in items)
                    {
                        if (item is string s) list.Add(new KeyValuePair<string, string>(path, s));
                        else WalkPython(item, path, list);
                    }
                    break;
                case string text:
                    list.Add(new KeyValuePair<string, string>(path, text));
                    break;
                case null:
                    break;
                default:
                    list.Add(new KeyValuePair<string, string>(path, Convert.ToString(node, CultureInfo.InvariantCulture) ?? string.Empty));
                    break;
            }
        }

        /// <summary>"alert_iocs" + "0" → "alert_iocs[0]", then "alert_iocs[0].ioc_value".</summary>
        private static string Join(string path, string name)
        {
            if (path.Length == 0) return name;
            var isIndex = name.Length > 0 && name.All(char.IsDigit);
            return isIndex ? path + "[" + name + "]" : path + "." + name;
        }

        public static string Format(List<KeyValuePair<string, string>> fields) =>
            string.Join("; ", fields.GroupBy(f => f.Key).Select(g => (g.Key.Length == 0 ? string.Empty : g.Key + ": ") + string.Join(" ", g.Select(f => f.Value))));
    }

    /// <summary>
    /// Reads the repr() of a Python literal (what IRIS puts in "message" when an alert route fails): dicts, lists,
    /// tuples, strings with their escapes, numbers, None/True/False. Dicts come back as ordered key/value lists.
    /// </summary>
    internal sealed class PythonLiteral
    {
        private readonly string _text;
        private int _pos;

        private PythonLiteral(string text) => _text = text;

        public static bool LooksLikeDict(string? text) =>
            text != null && text.Length >= 2 && text.TrimStart().StartsWith("{", StringComparison.Ordinal) && text.TrimEnd().EndsWith("}", StringComparison.Ordinal);

        public static bool TryParse(string text, out object? value)
        {
            var parser = new PythonLiteral(text);
            try
            {
                value = parser.Value();
                parser.Space();
                if (parser._pos == text.Length) return true;
            }
            catch (FormatException) { }
            catch (ArgumentOutOfRangeException) { }
            catch (IndexOutOfRangeException) { }
            value = null;
            return false;
        }

        private void Space()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }

        private char Peek()
        {
            Space();
            if (_pos >= _text.Length) throw new FormatException("end of text");
            return _text[_pos];
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw new FormatException("expected " + c);
            _pos++;
        }

        private object? Value()
        {
            var c = Peek();
            switch (c)
            {
                case '{': return Dict();
                case '[': return Sequence('[', ']');
                case '(': return Sequence('(', ')');
                case '\'':
                case '"': return Str();
            }
            if ((c == 'u' || c == 'b' || c == 'r') && _pos + 1 < _text.Length && (_text[_pos + 1] == '\'' || _text[_pos + 1] == '"'))
            {
                _pos++;
                return Str();
            }
            return Bare();
        }

        private List<KeyValuePair<object?, object?>> Dict()
        {
            Expect('{');
            var entries = new List<KeyValuePair<object?, object?>>();
            if (Peek() == '}') { _pos++; return entries; }
            while (true)
            {
                var key = Value();
                Expect(':');
                var value = Value();
                entries.Add(new KeyValuePair<object?, object?>(key, value));
                var c = Peek();
                _pos++;
                if (c == '}') return entries;
                if (c != ',') throw new FormatException("expected , or }");
                if (Peek() == '}') { _pos++; return entries; }
            }
        }

        private List<object?> Sequence(char open, char close)
        {
            Expect(open);
            var items = new List<object?>();
            if (Peek() == close) { _pos++; return items; }
            while (true)
            {
                items.Add(Value());
                var c = Peek();
                _pos++;
                if (c == close) return items;
                if (c != ',') throw new FormatException("expected , or " + close);
                if (Peek() == close) { _pos++; return items; }
            }
        }

        private string Str()
        {
            var quote = _text[_pos++];
            var sb = new StringBuilder();
            while (true)
            {
                var c = _text[_pos++];
                if (c == quote) return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                var e = _text[_pos++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case '0': sb.Append('\0'); break;
                    case 'x': sb.Append((char)int.Parse(_text.Substring(_pos, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)); _pos += 2; break;
                    case 'u': sb.Append((char)int.Parse(_text.Substring(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)); _pos += 4; break;
                    case 'U': sb.Append(char.ConvertFromUtf32(int.Parse(_text.Substring(_pos, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture))); _pos += 8; break;
                    default: sb.Append(e); break;
                }
            }
        }

        private object? Bare()
        {
            var start = _pos;
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '.' || _text[_pos] == '-' || _text[_pos] == '+' || _text[_pos] == '_')) _pos++;
            var word = _text.Substring(start, _pos - start);
            if (word.Length == 0) throw new FormatException("unexpected " + _text[_pos]);
            switch (word)
            {
                case "None": return null;
                case "True": return true;
                case "False": return false;
            }
            if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
            if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
            return word;
        }
    }
}
