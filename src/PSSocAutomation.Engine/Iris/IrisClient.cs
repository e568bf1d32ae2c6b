using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>What GET /api/versions said.</summary>
    public sealed class IrisVersionInfo
    {
        public IrisVersionInfo(IrisServerVersion server, string? apiMinimum, string? apiCurrent)
        {
            Server = server;
            ApiMinimum = apiMinimum;
            ApiCurrent = apiCurrent;
        }

        public IrisServerVersion Server { get; }
        public string? ApiMinimum { get; }
        public string? ApiCurrent { get; }
    }

    /// <summary>Filters of /alerts/filter; the client turns them into the query the server's version understands.</summary>
    public sealed class IrisAlertFilter
    {
        public IList<int> AlertIds { get; } = new List<int>();
        public string? Title { get; set; }
        public string? Description { get; set; }
        public string? Source { get; set; }
        public string? Tags { get; set; }
        /// <summary>Exact alert_source_ref (custom_conditions on 2.4.17+, source_reference plus an exact compare on 2.4.15/16, a compare before).</summary>
        public string? SourceReference { get; set; }
        public int? StatusId { get; set; }
        public int? SeverityId { get; set; }
        public int? ClassificationId { get; set; }
        public int? CustomerId { get; set; }
        /// <summary>-1 = unassigned.</summary>
        public int? OwnerId { get; set; }
        public int? CaseId { get; set; }
        public int? ResolutionStatusId { get; set; }
        /// <summary>On alert_source_event_time (server-side from 2.4.14, compared here before).</summary>
        public DateTimeOffset? EventFrom { get; set; }
        public DateTimeOffset? EventTo { get; set; }
        /// <summary>On alert_creation_time (creation_* from 2.4.14, source_* before, which filtered creation time then).</summary>
        public DateTimeOffset? CreatedFrom { get; set; }
        public DateTimeOffset? CreatedTo { get; set; }
        /// <summary>"desc" (newest event first, the default) or "asc".</summary>
        public string Sort { get; set; } = "desc";
    }

    /// <summary>Filters of /manage/cases/filter (2.3.4+); on older servers the client filters /manage/cases/list itself.</summary>
    public sealed class IrisCaseFilter
    {
        public IList<int> CaseIds { get; } = new List<int>();
        public int? CustomerId { get; set; }
        /// <summary>For servers before 2.3.4, whose case list names the customer but not its id.</summary>
        public string? CustomerName { get; set; }
        /// <summary>Exact case_soc_id.</summary>
        public string? SocId { get; set; }
        /// <summary>Substring of the name.</summary>
        public string? Name { get; set; }
        public int? StateId { get; set; }
        public int? SeverityId { get; set; }
        public int? ClassificationId { get; set; }
        public int? OwnerId { get; set; }
    }

    /// <summary>The fields /manage/cases/add accepts; the client sends nothing else on create.</summary>
    public sealed class IrisCaseCreate
    {
        public string Name { get; set; } = string.Empty;
        public string Description { get; set; } = string.Empty;
        public string SocId { get; set; } = string.Empty;
        public int CustomerId { get; set; }
        public int? ClassificationId { get; set; }
        /// <summary>Sent as a string: IRIS calls len() on it.</summary>
        public int? TemplateId { get; set; }
        public int? SeverityId { get; set; }
        public JsonObject? CustomAttributes { get; set; }
        /// <summary>Set by an update after the create (the create route rejects case_tags).</summary>
        public IList<string> Tags { get; } = new List<string>();

        /// <summary>What IRIS would refuse, checked here because 2.4.8+ says only "Error creating case - check server logs".</summary>
        public void Validate()
        {
            if ((Name ?? string.Empty).Trim().Length < 2) throw new ArgumentException("The case name must have at least 2 characters (IRIS: case_name, min length 2).");
            if ((Description ?? string.Empty).Trim().Length < 2) throw new ArgumentException("The case description must have at least 2 characters (IRIS: case_description, min length 2).");
            if (SocId is null) throw new ArgumentException("The SOC id must be given (IRIS: case_soc_id; an empty string is allowed).");
            if (SocId.Length > 256) throw new ArgumentException($"The SOC id has {SocId.Length} characters; IRIS stores at most 256 (case_soc_id).");
            if (CustomerId <= 0) throw new ArgumentException("The customer must be a positive IRIS customer id (case_customer).");
            if (ClassificationId is int c && c <= 0) throw new ArgumentException("The classification id must be positive.");
            if (TemplateId is int t && t <= 0) throw new ArgumentException("The case template id must be positive.");
            if (SeverityId is int s && s <= 0) throw new ArgumentException("The severity id must be positive.");
        }
    }

    /// <summary>
    /// DFIR-IRIS REST client (legacy routes, IRIS 2.0-2.4): the {"status","message","data"} envelope checked on every
    /// answer (200 with "error" is a failure), `cid` always in the query, Content-Type application/json on every request,
    /// version-gated routes and filters. Plain async C#; cmdlets and tests call it alike.
    /// </summary>
    public sealed class IrisClient : IDisposable
    {
        public IrisClient(HttpPipelineOptions options)
        {
            Pipeline = new HttpPipeline(options, IrisErrors.Instance);
            Lookups = new IrisLookups(this);
        }

        public HttpPipeline Pipeline { get; }
        public Uri BaseUri => Pipeline.BaseUri;
        public IrisLookups Lookups { get; }

        /// <summary>Creations in flight on this connection, by customer and SOC id / source reference.</summary>
        internal KeyedOnce<IrisCase> CaseCreations { get; } = new KeyedOnce<IrisCase>();
        internal KeyedOnce<IrisAlert> AlertCreations { get; } = new KeyedOnce<IrisAlert>();

        /// <summary>Set by <see cref="ConnectAsync"/>: the release every version gate reads.</summary>
        public IrisServerVersion? Version { get; private set; }
        public IrisVersionInfo? VersionInfo { get; private set; }

        internal IrisServerVersion RequireVersion() =>
            Version ?? throw new InvalidOperationException("The IRIS version is not known yet; call ConnectAsync first.");

        /// <summary>GET /api/versions?cid=1: checks the key and the server, and records the version.</summary>
        public async Task<IrisVersionInfo> ConnectAsync(CancellationToken cancellationToken)
        {
            JsonElement data;
            try
            {
                // The server check of Connect-Iris: bounded as a whole, so a port that never answers fails in seconds.
                data = await SendAsync(HttpMethod.Get, "api/versions?cid=1", null, true, cancellationToken, "the version check", Pipeline.Options.SetupTimeout).ConfigureAwait(false);
            }
            catch (SocApiException ex) when (ex.Kind == ApiFailureKind.NotFound || ex.Kind == ApiFailureKind.Protocol || ex.Kind == ApiFailureKind.HtmlPage ||
                                             (ex.StatusCode >= 400 && !LooksLikeEnvelope(ex.ResponseBody)))
            {
                throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service,
                    $"{Pipeline.Redactor.Redact(BaseUri)} does not answer like DFIR-IRIS (GET /api/versions: {ex.Message}). Give -Uri the address of the IRIS web interface, e.g. https://iris.example.org (no path).", ex)
                { StatusCode = ex.StatusCode, Url = ex.Url, Method = ex.Method, RecommendedAction = "Check -Uri." };
            }
            var current = IrisJson.Str(data, "iris_current");
            if (!IrisServerVersion.TryParse(current, out var version))
                throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service,
                    $"{Pipeline.Redactor.Redact(BaseUri)} answered /api/versions without an IRIS version (iris_current: '{current ?? "missing"}'); it may not be DFIR-IRIS.")
                { Url = Pipeline.Redactor.Redact(BaseUri) + "api/versions" };
            Version = version!;
            VersionInfo = new IrisVersionInfo(version!, IrisJson.Str(data, "api_min"), IrisJson.Str(data, "api_current"));
            return VersionInfo;
        }

        /// <summary>IRIS answers even a refusal in its envelope, {"status": "error", "message": ...}; another server does not.</summary>
        private static bool LooksLikeEnvelope(string? body)
        {
            if (string.IsNullOrEmpty(body)) return false;
            try
            {
                using var doc = JsonDocument.Parse(body!);
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>For tests and for a server whose version is known some other way.</summary>
        public void SetVersion(IrisServerVersion version) => Version = version;

        // ---- transport ----

        internal Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken, string? what = null) =>
            SendAsync(HttpMethod.Get, path, null, true, cancellationToken, what);

        internal Task<JsonElement> PostAsync(string path, JsonNode? body, bool idempotent, CancellationToken cancellationToken, string? what = null) =>
            SendAsync(HttpMethod.Post, path, Encoding.UTF8.GetBytes(body is null ? "{}" : body.ToJsonString()), idempotent, cancellationToken, what);

        /// <summary>Send, check the envelope, and return its data (cloned, so it outlives the response).</summary>
        internal async Task<JsonElement> SendAsync(HttpMethod method, string path, byte[]? body, bool idempotent, CancellationToken cancellationToken, string? what, TimeSpan? totalTimeout = null)
        {
            var request = new ApiRequest(method, path) { Idempotent = idempotent, ContentType = "application/json", Description = what, TotalTimeout = totalTimeout };
#if NETSTANDARD2_0
            request.Body = body;
#else
            // IRIS answers its 404 in JSON only to requests that declare JSON, so GETs carry the header too (with an empty
            // body). .NET Framework (Windows PowerShell) refuses a body on GET, so there the 404 stays an HTML page.
            request.Body = body ?? Array.Empty<byte>();
#endif
            // Failures arrive already in IRIS's terms: the pipeline hands each to IrisErrors.Refine.
            var response = await Pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using (var doc = response.ParseJson())
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String)
                {
                    throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service,
                        $"{IrisErrors.Service} answered {method.Method} {response.Url} with JSON that is not IRIS's {{\"status\",\"message\",\"data\"}} envelope; is -Uri the IRIS web interface?")
                    { StatusCode = response.Status, Url = response.Url, Method = method.Method };
                }
                if (!string.Equals(status.GetString(), "success", StringComparison.Ordinal))
                    throw IrisErrors.FromEnvelope(response, method.Method, Pipeline.Redactor);
                return root.TryGetProperty("data", out var data) ? data.Clone() : default;
            }
        }

        private static string Q(string value) => Uri.EscapeDataString(value);

        /// <summary>No \u0026-style escapes in query values: the value is URL-encoded anyway, and IRIS compares it as text.</summary>
        private static readonly JsonSerializerOptions RelaxedJson = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

        // ---- reference data ----

        public async Task<IReadOnlyList<IrisCustomer>> GetCustomersAsync(CancellationToken cancellationToken)
        {
            var data = await GetAsync("manage/customers/list?cid=1", cancellationToken, "the customer list").ConfigureAwait(false);
            return data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().Select(e => new IrisCustomer(e.Clone())).ToList() : new List<IrisCustomer>();
        }

        // ---- cases ----

        /// <summary>
        /// A new case: <see cref="AddCaseAsync"/> then <see cref="CompleteCaseAsync"/>. Not retried blind: callers that want
        /// retries guard them with a look-up (<see cref="IrisCaseWriter"/>).
        /// </summary>
        public async Task<IrisCase> CreateCaseAsync(IrisCaseCreate request, CancellationToken cancellationToken)
        {
            var created = await AddCaseAsync(request, cancellationToken).ConfigureAwait(false);
            return await CompleteCaseAsync(created, request, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// POST /manage/cases/add with only the fields the route accepts (severity_id only on 2.4.17+, the template id as a
        /// string): any other key makes IRIS fail with "Error creating case - check server logs".
        /// </summary>
        public async Task<IrisCase> AddCaseAsync(IrisCaseCreate request, CancellationToken cancellationToken)
        {
            request.Validate();
            var body = BuildCaseCreateBody(request, RequireVersion());
            var data = await PostAsync("manage/cases/add?cid=1", body, false, cancellationToken, "case creation").ConfigureAwait(false);
            return new IrisCase(data, BaseUri);
        }

        /// <summary>
        /// Brings a case to what was asked, with one /manage/cases/update: what create cannot take (the severity before
        /// 2.4.17, tags), and on a case that already existed whatever differs (severity, classification, missing tags; tags
        /// the case has are kept). Returns the case unchanged when nothing differs.
        /// </summary>
        public async Task<IrisCase> CompleteCaseAsync(IrisCase current, IrisCaseCreate request, CancellationToken cancellationToken)
        {
            var update = CaseChanges(current, request, RequireVersion());
            if (update.Count == 0 || current.CaseId <= 0) return current;
            try
            {
                return await UpdateCaseAsync(current.CaseId, update, cancellationToken).ConfigureAwait(false);
            }
            catch (SocApiException ex)
            {
                throw PartlyDone(ex, "case #" + Num(current.CaseId), update);
            }
        }

        /// <summary>A failed follow-up update, said as what it is: the object exists, some fields are not set yet.</summary>
        internal static SocApiException PartlyDone(SocApiException ex, string what, JsonObject update) =>
            new SocApiException(ex.Kind, ex.Service, $"DFIR-IRIS {what} is there, but setting its {string.Join(" and ", update.Select(p => p.Key))} failed: {ex.Message} Running the command again finishes it.", ex)
            { StatusCode = ex.StatusCode, Method = ex.Method, Url = ex.Url, VendorType = ex.VendorType, VendorReason = ex.VendorReason, RecommendedAction = ex.RecommendedAction, ResponseBody = ex.ResponseBody, Retries = ex.Retries };

        /// <summary>The /manage/cases/update body that makes <paramref name="current"/> what <paramref name="request"/> asks; empty when it already is.</summary>
        internal static JsonObject CaseChanges(IrisCase current, IrisCaseCreate request, IrisServerVersion version)
        {
            var update = new JsonObject();
            if (request.SeverityId is int severity && version.HasCaseSeverity && current.SeverityId != severity) update["severity_id"] = severity;
            if (request.ClassificationId is int classification && current.ClassificationId != classification) update["classification_id"] = classification;
            if (IrisTags.WithMissing(current.Tags, request.Tags) is string tags) update["case_tags"] = tags;
            return update;
        }

        internal static JsonObject BuildCaseCreateBody(IrisCaseCreate request, IrisServerVersion version)
        {
            var body = new JsonObject
            {
                ["case_name"] = request.Name.Trim(),
                ["case_description"] = request.Description,
                ["case_soc_id"] = request.SocId,
                ["case_customer"] = request.CustomerId,
            };
            if (request.ClassificationId is int classification) body["classification_id"] = classification;
            if (request.TemplateId is int template) body["case_template_id"] = Num(template);
            if (request.SeverityId is int severity && version.AcceptsSeverityOnCaseCreate) body["severity_id"] = severity;
            if (request.CustomAttributes != null) body["custom_attributes"] = request.CustomAttributes.DeepClone();
            return body;
        }

        /// <summary>POST /manage/cases/update/{id}: a partial update (safe to repeat, so retried like a read).</summary>
        public async Task<IrisCase> UpdateCaseAsync(int caseId, JsonObject fields, CancellationToken cancellationToken)
        {
            var data = await PostAsync("manage/cases/update/" + Num(caseId) + "?cid=" + Num(caseId), fields, true, cancellationToken, "case update").ConfigureAwait(false);
            return new IrisCase(data, BaseUri);
        }

        /// <summary>
        /// One case by id, in the shape every other case read has. GET /manage/cases/{id} leaves out severity_id (IRIS's
        /// case details query never selected it), so where the filter exists (2.3.4+, which is also when cases got a
        /// severity) the case is read through it; a case the filter does not return is read by id after all, so that a
        /// missing or forbidden case is reported as IRIS reports it.
        /// </summary>
        public async Task<IrisCase> GetCaseAsync(int caseId, CancellationToken cancellationToken)
        {
            if (RequireVersion().HasCaseFilter)
            {
                var filter = new IrisCaseFilter();
                filter.CaseIds.Add(caseId);
                await foreach (var c in GetCasesAsync(filter, 1, cancellationToken).ConfigureAwait(false))
                    if (c.CaseId == caseId) return c;
            }
            var data = await GetAsync("manage/cases/" + Num(caseId) + "?cid=" + Num(caseId), cancellationToken, "case " + caseId).ConfigureAwait(false);
            return new IrisCase(data, BaseUri);
        }

        /// <summary>Every case matching the filter, page by page (/manage/cases/filter, 2.3.4+), the next page fetched while this one is read.</summary>
        public async IAsyncEnumerable<IrisCase> GetCasesAsync(IrisCaseFilter filter, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var version = RequireVersion();
            if (!version.HasCaseFilter)
            {
                foreach (var c in await ListCasesAsync(cancellationToken).ConfigureAwait(false))
                    if (Matches(c, filter)) yield return c;
                yield break;
            }

            var query = new StringBuilder("manage/cases/filter?cid=1&order_by=case_id&sort_dir=asc&per_page=").Append(Num(pageSize));
            if (filter.CaseIds.Count > 0) query.Append("&case_ids=").Append(Q(string.Join(",", filter.CaseIds.Select(Num))));
            if (filter.CustomerId is int customer) query.Append("&case_customer_id=").Append(Num(customer));
            if (filter.SocId != null) query.Append("&case_soc_id=").Append(Q(filter.SocId));
            if (filter.Name != null) query.Append("&case_name=").Append(Q(filter.Name));
            if (filter.StateId is int state) query.Append("&case_state_id=").Append(Num(state));
            if (filter.SeverityId is int severity) query.Append("&case_severity_id=").Append(Num(severity));
            if (filter.ClassificationId is int classification) query.Append("&case_classification_id=").Append(Num(classification));
            if (filter.OwnerId is int owner) query.Append("&case_owner_id=").Append(Num(owner));
            var path = query.ToString();

            await foreach (var item in PagesAsync(path, "cases", "case search", cancellationToken).ConfigureAwait(false))
            {
                var c = new IrisCase(item, BaseUri);
                // The page says what the server matched; the exact SOC id is checked again (older filters were LIKE).
                if (filter.SocId != null && c.SocId != null && !string.Equals(c.SocId, filter.SocId, StringComparison.Ordinal)) continue;
                yield return c;
            }
        }

        /// <summary>GET /manage/cases/list: every case the user can see, unpaged (all IRIS versions).</summary>
        public async Task<IReadOnlyList<IrisCase>> ListCasesAsync(CancellationToken cancellationToken)
        {
            var data = await GetAsync("manage/cases/list?cid=1", cancellationToken, "the case list").ConfigureAwait(false);
            return data.ValueKind == JsonValueKind.Array ? data.EnumerateArray().Select(e => new IrisCase(e, BaseUri)).ToList() : new List<IrisCase>();
        }

        private static bool Matches(IrisCase c, IrisCaseFilter f)
        {
            if (f.CaseIds.Count > 0 && !f.CaseIds.Contains(c.CaseId)) return false;
            if (f.SocId != null && !string.Equals(c.SocId ?? string.Empty, f.SocId, StringComparison.Ordinal)) return false;
            if (f.CustomerId is int id && c.CustomerId is int cid && cid != id) return false;
            // The pre-2.3.4 list names the customer only; without its name the case cannot be claimed for this customer.
            if (f.CustomerId != null && c.CustomerId is null && (f.CustomerName is null || !string.Equals(c.Customer, f.CustomerName, StringComparison.OrdinalIgnoreCase))) return false;
            if (f.Name != null && c.Name.IndexOf(f.Name, StringComparison.OrdinalIgnoreCase) < 0) return false;
            if (f.StateId is int state && c.StateId != state) return false;
            if (f.SeverityId is int severity && c.SeverityId != severity) return false;
            if (f.ClassificationId is int classification && c.ClassificationId != classification) return false;
            if (f.OwnerId is int owner && c.OwnerId != owner) return false;
            return true;
        }

        /// <summary>
        /// Items of a paginated route ("data": {"total", "&lt;items&gt;", "next_page", "last_page"}), each page fetched while
        /// the previous one is consumed (<see cref="Pager{TPage, TCursor}"/>); stops on an empty page or when next_page is null.
        /// </summary>
        private async IAsyncEnumerable<JsonElement> PagesAsync(string path, string itemsKey, string what, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var pager = new Pager<JsonElement, int>(
                async (page, number, ct) =>
                {
                    var data = await GetAsync(path + "&page=" + Num(page), ct, what).ConfigureAwait(false);
                    var items = IrisJson.Has(data, itemsKey, out var array) && array.ValueKind == JsonValueKind.Array ? array : default;
                    var count = items.ValueKind == JsonValueKind.Array ? items.GetArrayLength() : 0;
                    if (count == 0) return null;
                    var nextPage = IrisJson.Int(data, "next_page");
                    var lastPage = IrisJson.Int(data, "last_page");
                    if (nextPage is int n && n > page && (lastPage is null || n <= lastPage))
                        return FetchedPage<JsonElement, int>.WithNext(items, n);
                    return FetchedPage<JsonElement, int>.Last(items);
                })
            { TimeProvider = Pipeline.Options.TimeProvider };
            await foreach (var items in pager.ReadAsync(1, cancellationToken).ConfigureAwait(false))
                foreach (var item in items.EnumerateArray()) yield return item;
        }

        // ---- alerts ----

        private void RequireAlerts()
        {
            var version = RequireVersion();
            if (!version.HasAlerts)
                throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service, $"IRIS {version} has no alert queue (alerts arrived in IRIS 2.1). Create cases instead (New-IrisCase).");
        }

        /// <summary>POST /alerts/add, checked first. Not retried blind; <see cref="IrisAlertWriter"/> guards retries with a look-up by source reference.</summary>
        public async Task<IrisAlert> CreateAlertAsync(IrisAlertCreate request, CancellationToken cancellationToken)
        {
            request.Validate();
            return await CreateAlertAsync(request.ToJson(), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A body as given, unchecked: for tests that send IRIS what the module never would.</summary>
        internal async Task<IrisAlert> CreateAlertAsync(JsonObject body, CancellationToken cancellationToken)
        {
            RequireAlerts();
            var data = await PostAsync("alerts/add?cid=1", body, false, cancellationToken, "alert creation").ConfigureAwait(false);
            return new IrisAlert(data, BaseUri);
        }

        /// <summary>GET /alerts/{id}; a missing alert (or one of a customer the user is not linked to) is IRIS's 400 "Alert not found".</summary>
        public async Task<IrisAlert> GetAlertAsync(int alertId, CancellationToken cancellationToken)
        {
            RequireAlerts();
            var data = await GetAsync("alerts/" + Num(alertId) + "?cid=1", cancellationToken, "alert " + alertId).ConfigureAwait(false);
            return new IrisAlert(data, BaseUri);
        }

        /// <summary>POST /alerts/update/{id} with only the fields given (safe to repeat), checked first.</summary>
        public async Task<IrisAlert> UpdateAlertAsync(int alertId, IrisAlertUpdate update, CancellationToken cancellationToken)
        {
            update.Validate();
            return await UpdateAlertAsync(alertId, update.ToJson(), cancellationToken).ConfigureAwait(false);
        }

        internal async Task<IrisAlert> UpdateAlertAsync(int alertId, JsonObject updates, CancellationToken cancellationToken)
        {
            RequireAlerts();
            var data = await PostAsync("alerts/update/" + Num(alertId) + "?cid=1", updates, true, cancellationToken, "alert update").ConfigureAwait(false);
            return new IrisAlert(data, BaseUri);
        }

        /// <summary>
        /// POST /alerts/escalate/{id}: a new case from the alert, importing the IOCs and assets named by uuid. IRIS marks the
        /// alert Escalated even when the case fails, so this is never retried.
        /// </summary>
        public async Task<IrisCase> EscalateAlertAsync(int alertId, IEnumerable<string> iocUuids, IEnumerable<string> assetUuids, string? caseTitle, string? note, IEnumerable<string>? tags, int? templateId, bool importAsEvent, CancellationToken cancellationToken)
        {
            RequireAlerts();
            var body = new JsonObject
            {
                ["iocs_import_list"] = new JsonArray(iocUuids.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray()),
                ["assets_import_list"] = new JsonArray(assetUuids.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray()),
                ["note"] = note ?? string.Empty,
                ["import_as_event"] = importAsEvent,
                ["case_tags"] = tags is null ? string.Empty : IrisTags.Join(tags),
            };
            if (!string.IsNullOrWhiteSpace(caseTitle)) body["case_title"] = caseTitle;
            if (templateId is int t) body["case_template_id"] = Num(t);
            var data = await PostAsync("alerts/escalate/" + Num(alertId) + "?cid=1", body, false, cancellationToken, "alert escalation").ConfigureAwait(false);
            return new IrisCase(data, BaseUri);
        }

        /// <summary>
        /// Every alert matching the filter, page by page, newest event first by default. Filters this server cannot apply
        /// (an exact source reference before 2.4.17, event times before 2.4.14) are applied here on each page.
        /// </summary>
        public async IAsyncEnumerable<IrisAlert> GetAlertsAsync(IrisAlertFilter filter, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            RequireAlerts();
            var version = RequireVersion();
            var (path, exactRef, eventWindowHere) = BuildAlertQuery(filter, pageSize, version);
            await foreach (var item in PagesAsync(path, "alerts", "alert search", cancellationToken).ConfigureAwait(false))
            {
                if (exactRef != null && !string.Equals(IrisJson.Str(item, "alert_source_ref"), exactRef, StringComparison.Ordinal)) continue;
                if (eventWindowHere)
                {
                    var t = IrisJson.Time(item, "alert_source_event_time");
                    if (filter.EventFrom is DateTimeOffset from && (t is null || t.Value < from.UtcDateTime)) continue;
                    if (filter.EventTo is DateTimeOffset to && (t is null || t.Value > to.UtcDateTime)) continue;
                }
                yield return new IrisAlert(item, BaseUri);
            }
        }

        /// <summary>The /alerts/filter query for this version, the source reference to compare exactly here (if any), and whether event times are compared here.</summary>
        internal static (string Path, string? ExactRef, bool EventWindowHere) BuildAlertQuery(IrisAlertFilter filter, int pageSize, IrisServerVersion version)
        {
            var q = new StringBuilder("alerts/filter?cid=1&per_page=").Append(Num(pageSize));
            q.Append("&sort=").Append(filter.Sort == "asc" ? "asc" : "desc");
            if (filter.AlertIds.Count > 0) q.Append("&alert_ids=").Append(Q(string.Join(",", filter.AlertIds.Select(Num))));
            if (filter.Title != null) q.Append("&alert_title=").Append(Q(filter.Title));
            if (filter.Description != null) q.Append("&alert_description=").Append(Q(filter.Description));
            if (filter.Source != null) q.Append("&alert_source=").Append(Q(filter.Source));
            if (filter.Tags != null) q.Append("&alert_tags=").Append(Q(filter.Tags));
            if (filter.StatusId is int status) q.Append("&alert_status_id=").Append(Num(status));
            if (filter.SeverityId is int severity) q.Append("&alert_severity_id=").Append(Num(severity));
            if (filter.ClassificationId is int classification) q.Append("&alert_classification_id=").Append(Num(classification));
            if (filter.CustomerId is int customer) q.Append("&alert_customer_id=").Append(Num(customer));
            if (filter.OwnerId is int owner) q.Append("&alert_owner_id=").Append(Num(owner));
            if (filter.CaseId is int caseId) q.Append("&case_id=").Append(Num(caseId));
            if (filter.ResolutionStatusId is int resolution) q.Append("&alert_resolution_id=").Append(Num(resolution));

            string? exactRef = null;
            if (filter.SourceReference != null)
            {
                if (version.HasCustomConditions)
                {
                    var conditions = new JsonArray(new JsonObject { ["field"] = "alert_source_ref", ["operator"] = "eq", ["value"] = filter.SourceReference });
                    q.Append("&custom_conditions=").Append(Q(conditions.ToJsonString(RelaxedJson)));
                }
                else
                {
                    if (version.HasSourceReferenceFilter) q.Append("&source_reference=").Append(Q(filter.SourceReference));
                    exactRef = filter.SourceReference;
                }
            }

            var eventHere = false;
            if (filter.EventFrom != null || filter.EventTo != null)
            {
                if (version.HasCreationDateFilter) AppendWindow(q, "source_start_date", "source_end_date", filter.EventFrom, filter.EventTo);
                else eventHere = true;
            }
            if (filter.CreatedFrom != null || filter.CreatedTo != null)
            {
                if (version.HasCreationDateFilter) AppendWindow(q, "creation_start_date", "creation_end_date", filter.CreatedFrom, filter.CreatedTo);
                else AppendWindow(q, "source_start_date", "source_end_date", filter.CreatedFrom, filter.CreatedTo); // these filtered creation time before 2.4.14
            }
            return (q.ToString(), exactRef, eventHere);
        }

        private static void AppendWindow(StringBuilder q, string startName, string endName, DateTimeOffset? from, DateTimeOffset? to)
        {
            // IRIS needs both ends of a window.
            var start = from ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var end = to ?? DateTimeOffset.UtcNow.AddDays(2);
            q.Append('&').Append(startName).Append('=').Append(Q(FormatFilterTime(start)));
            q.Append('&').Append(endName).Append('=').Append(Q(FormatFilterTime(end)));
        }

        internal static string FormatFilterTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

        // ---- case objects (/case/*, always ?cid=) ----

        /// <summary>POST /case/ioc/add?cid=, checked first. In 2.4 adding an IOC the case already has answers success, so it is safe to repeat there.</summary>
        /// <remarks>Before 2.4 IRIS adds the same IOC to a case again, so the case's list is read first and an IOC with the value and type is returned (Existing) instead.</remarks>
        public async Task<IrisIoc> AddCaseIocAsync(int caseId, IrisIocCreate ioc, CancellationToken cancellationToken)
        {
            ioc.Validate();
            if (!RequireVersion().DeduplicatesIocs)
            {
                foreach (var had in await GetCaseIocsAsync(caseId, cancellationToken).ConfigureAwait(false))
                    if (string.Equals(had.Value, ioc.Value, StringComparison.Ordinal) && (had.TypeId is null || had.TypeId == ioc.TypeId))
                    {
                        had.Existing = true;
                        return had;
                    }
            }
            var added = await AddCaseIocAsync(caseId, ioc.ToJson(), cancellationToken).ConfigureAwait(false);
            // 2.4 says so when the case already had it ("IOC already existed in DB" is a new link to a known IOC: new to this case).
            added.Existing = (added.Message ?? string.Empty).IndexOf("linked to this case", StringComparison.OrdinalIgnoreCase) >= 0;
            return added;
        }

        /// <summary>A body as given, unchecked: for tests that send IRIS what the module never would.</summary>
        internal async Task<IrisIoc> AddCaseIocAsync(int caseId, JsonObject ioc, CancellationToken cancellationToken)
        {
            var version = RequireVersion();
            var (data, message) = await PostWithMessageAsync("case/ioc/add?cid=" + Num(caseId), ioc, version.DeduplicatesIocs, cancellationToken, "IOC on case " + caseId).ConfigureAwait(false);
            return new IrisIoc(data, caseId, message);
        }

        /// <summary>POST /case/assets/add?cid=, checked first. A second asset with the same name and type is refused by IRIS.</summary>
        public async Task<IrisAsset> AddCaseAssetAsync(int caseId, IrisAssetCreate asset, CancellationToken cancellationToken)
        {
            asset.Validate();
            return await AddCaseAssetAsync(caseId, asset.ToJson(), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A body as given, unchecked: for tests that send IRIS what the module never would.</summary>
        internal async Task<IrisAsset> AddCaseAssetAsync(int caseId, JsonObject asset, CancellationToken cancellationToken)
        {
            var data = await PostAsync("case/assets/add?cid=" + Num(caseId), asset, false, cancellationToken, "asset on case " + caseId).ConfigureAwait(false);
            return new IrisAsset(data, caseId);
        }

        /// <summary>GET /case/assets/list?cid=: the case's assets.</summary>
        public async Task<IReadOnlyList<IrisAsset>> GetCaseAssetsAsync(int caseId, CancellationToken cancellationToken)
        {
            var data = await GetAsync("case/assets/list?cid=" + Num(caseId), cancellationToken, "assets of case " + caseId).ConfigureAwait(false);
            return IrisJson.Array(data, "assets").Select(a => new IrisAsset(a.Clone(), caseId)).ToList();
        }

        /// <summary>GET /case/ioc/list?cid=: the case's IOCs.</summary>
        public async Task<IReadOnlyList<IrisIoc>> GetCaseIocsAsync(int caseId, CancellationToken cancellationToken)
        {
            var data = await GetAsync("case/ioc/list?cid=" + Num(caseId), cancellationToken, "IOCs of case " + caseId).ConfigureAwait(false);
            return IrisJson.Array(data, "ioc").Select(i => new IrisIoc(i.Clone(), caseId)).ToList();
        }

        /// <summary>
        /// POST /case/notes/add?cid= into the named directory (2.4+; created when missing) or a new note group (2.0-2.3).
        /// On 2.4 a note with the same title already in the directory is the same note, added by an earlier run: it is
        /// returned (Existing) and nothing is added, unless <paramref name="allowDuplicate"/>.
        /// </summary>
        public async Task<IrisNote> AddCaseNoteAsync(int caseId, string title, string? content, string directory, CancellationToken cancellationToken, bool allowDuplicate = false)
        {
            if (string.IsNullOrWhiteSpace(title) || title.Length > 155) throw new ArgumentException("The note title must have 1 to 155 characters (IRIS: note_title).");
            var version = RequireVersion();
            var body = new JsonObject { ["note_title"] = title, ["note_content"] = content ?? string.Empty };
            if (version.HasNoteDirectories)
            {
                var (directoryId, notes) = await GetOrCreateNoteDirectoryAsync(caseId, directory, cancellationToken).ConfigureAwait(false);
                if (!allowDuplicate)
                    foreach (var note in notes)
                        if (string.Equals(IrisJson.Str(note, "title"), title, StringComparison.Ordinal) && IrisJson.Int(note, "id") is int noteId)
                        {
                            var known = new JsonObject { ["note_id"] = noteId, ["note_title"] = title, ["directory"] = new JsonObject { ["id"] = directoryId, ["name"] = directory } };
                            using var doc = JsonDocument.Parse(known.ToJsonString());
                            return new IrisNote(doc.RootElement.Clone(), caseId, directory) { Existing = true };
                        }
                body["directory_id"] = directoryId;
            }
            else
            {
                var group = await PostAsync("case/notes/groups/add?cid=" + Num(caseId), new JsonObject { ["group_title"] = directory }, false, cancellationToken, "note group on case " + caseId).ConfigureAwait(false);
                body["group_id"] = IrisJson.Int(group, "group_id") ?? throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service, "IRIS created a note group but returned no group_id.");
            }
            var data = await PostAsync("case/notes/add?cid=" + Num(caseId), body, false, cancellationToken, "note on case " + caseId).ConfigureAwait(false);
            return new IrisNote(data, caseId, directory);
        }

        /// <summary>The id of the case's note directory with this name (created at the top level when it does not exist) and the notes it holds ({id, title}).</summary>
        public async Task<(int Id, IReadOnlyList<JsonElement> Notes)> GetOrCreateNoteDirectoryAsync(int caseId, string name, CancellationToken cancellationToken)
        {
            var list = await GetAsync("case/notes/directories/filter?cid=" + Num(caseId), cancellationToken, "note directories of case " + caseId).ConfigureAwait(false);
            foreach (var dir in Flatten(list))
                if (string.Equals(IrisJson.Str(dir, "name"), name, StringComparison.OrdinalIgnoreCase) && IrisJson.Int(dir, "id") is int id)
                    return (id, IrisJson.Array(dir, "notes").Select(n => n.Clone()).ToList());
            var created = await PostAsync("case/notes/directories/add?cid=" + Num(caseId), new JsonObject { ["name"] = name, ["parent_id"] = null }, false, cancellationToken, "note directory on case " + caseId).ConfigureAwait(false);
            return (IrisJson.Int(created, "id") ?? throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service, "IRIS created a note directory but returned no id."), Array.Empty<JsonElement>());
        }

        private static IEnumerable<JsonElement> Flatten(JsonElement list)
        {
            if (list.ValueKind != JsonValueKind.Array) yield break;
            foreach (var dir in list.EnumerateArray())
            {
                yield return dir;
                foreach (var sub in Flatten(dir.TryGetProperty("subdirectories", out var s) ? s : default)) yield return sub;
            }
        }

        /// <summary>Like PostAsync, keeping the envelope's message (IRIS says "IOC already exists and linked to this case" there).</summary>
        private async Task<(JsonElement Data, string? Message)> PostWithMessageAsync(string path, JsonNode body, bool idempotent, CancellationToken cancellationToken, string what)
        {
            var request = new ApiRequest(HttpMethod.Post, path) { Idempotent = idempotent, Body = Encoding.UTF8.GetBytes(body.ToJsonString()), ContentType = "application/json", Description = what };
            var response = await Pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            using (var doc = response.ParseJson())
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || IrisJson.Str(root, "status") != "success")
                {
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out _)) throw IrisErrors.FromEnvelope(response, "POST", Pipeline.Redactor);
                    throw new SocApiException(ApiFailureKind.Protocol, IrisErrors.Service, $"{IrisErrors.Service} answered POST {response.Url} with JSON that is not IRIS's envelope.") { StatusCode = response.Status, Url = response.Url };
                }
                return (root.TryGetProperty("data", out var data) ? data.Clone() : default, IrisJson.Str(root, "message"));
            }
        }

        public void Dispose() => Pipeline.Dispose();
    }

    /// <summary>IRIS tags are one comma-separated string; a comma inside a tag would split it.</summary>
    internal static class IrisTags
    {
        public static string Join(IEnumerable<string> tags) =>
            string.Join(",", tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(Clean).Distinct(StringComparer.Ordinal));

        private static string Clean(string tag) => tag.Replace(',', ' ').Trim();

        /// <summary>The object's tags plus the wanted ones it lacks (its own are kept: an analyst may have added them), or null when it lacks none.</summary>
        public static string? WithMissing(string? current, IEnumerable<string> wanted)
        {
            var have = IrisCaseMark.SplitTags(current);
            var missing = wanted.Where(t => !string.IsNullOrWhiteSpace(t) && !have.Contains(Clean(t), StringComparer.OrdinalIgnoreCase)).ToList();
            return missing.Count == 0 ? null : Join(have.Concat(missing));
        }
    }
}
