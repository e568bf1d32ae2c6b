using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Elastic
{
    public enum BulkOutcome
    {
        Created,
        /// <summary>An index action replaced an existing document.</summary>
        Updated,
        /// <summary>A create met a document with the same id (409): written by an earlier run, not an error.</summary>
        AlreadyExists,
        /// <summary>
        /// A create met a document with the same id (409) in a request sent again after an attempt that may have landed:
        /// written by that lost attempt of this run or by an earlier run, which Elasticsearch's answer cannot tell apart.
        /// </summary>
        ExistsAfterRetry,
        Failed,
    }

    /// <summary>One document waiting for, or back from, _bulk.</summary>
    public sealed class BulkDocument
    {
        public BulkDocument(byte[] json, string? id, long position, object? input)
        {
            Json = json;
            Id = id;
            Position = position;
            Input = input;
        }

        public byte[] Json { get; }
        public string? Id { get; }
        /// <summary>1-based position in the input, to name a document that has no id.</summary>
        public long Position { get; }
        /// <summary>What the user piped in, as the target of an error.</summary>
        public object? Input { get; }
        public string Describe() => Id != null ? "document '" + Id + "' (#" + Position + ")" : "document #" + Position;
    }

    public sealed class BulkItemResult
    {
        public BulkItemResult(BulkDocument document, BulkOutcome outcome, int status, string? errorType, string? errorReason, string? assignedId)
        {
            Document = document;
            Outcome = outcome;
            Status = status;
            ErrorType = errorType;
            ErrorReason = errorReason;
            AssignedId = assignedId;
        }

        public BulkDocument Document { get; }
        public BulkOutcome Outcome { get; }
        public int Status { get; }
        public string? ErrorType { get; }
        public string? ErrorReason { get; }
        public string? AssignedId { get; }
    }

    /// <summary>
    /// Writes documents through _bulk in batches bounded by count and bytes. With ids every action is a create, so a
    /// re-run (or a retried request) writes nothing twice; items rejected with 429 are sent again, alone, with back-off.
    /// </summary>
    public sealed class ElasticBulkWriter
    {
        private static readonly byte[] Newline = { (byte)'\n' };
        private readonly ElasticClient _client;
        private readonly List<BulkDocument> _batch = new List<BulkDocument>();
        private long _batchBytes;

        public ElasticBulkWriter(ElasticClient client, string index, int maxDocuments = 500, long maxBytes = 5 * 1024 * 1024, string? refresh = null)
        {
            if (maxDocuments < 1) throw new ArgumentOutOfRangeException(nameof(maxDocuments), "A batch holds at least one document.");
            _client = client;
            Index = index;
            MaxDocuments = maxDocuments;
            MaxBytes = maxBytes;
            Refresh = refresh;
        }

        public string Index { get; }
        public int MaxDocuments { get; }
        public long MaxBytes { get; }
        public string? Refresh { get; }
        public int ItemRetries { get; set; } = 5;
        public TimeSpan ItemRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
        public int Batches { get; private set; }
        /// <summary>Documents sent more than once: items refused with 429, and every document of a request the HTTP pipeline sent again.</summary>
        public long RetriedItems { get; private set; }
        /// <summary>_bulk requests sent again: by the HTTP pipeline (dropped answers, 502/503/504, 429 for the whole request) and for items refused with 429.</summary>
        public long RetriedRequests { get; private set; }
        public int PendingCount => _batch.Count;

        /// <summary>The documents the next flush sends, in order.</summary>
        public IReadOnlyList<BulkDocument> Pending => _batch;

        /// <summary>Drops the pending batch unsent (the user declined it); returns how many documents it held.</summary>
        public int Discard()
        {
            var count = _batch.Count;
            _batch.Clear();
            _batchBytes = 0;
            return count;
        }

        /// <summary>True when the batch is full and should be flushed before the next document.</summary>
        public bool Add(BulkDocument document)
        {
            _batch.Add(document);
            _batchBytes += document.Json.Length + 64;
            return _batch.Count >= MaxDocuments || _batchBytes >= MaxBytes;
        }

        public async Task<IReadOnlyList<BulkItemResult>> FlushAsync(CancellationToken cancellationToken)
        {
            if (_batch.Count == 0) return Array.Empty<BulkItemResult>();
            var pending = new List<BulkDocument>(_batch);
            _batch.Clear();
            _batchBytes = 0;

            var results = new List<BulkItemResult>(pending.Count);
            var delay = ItemRetryDelay;
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                var round = await SendAsync(pending, cancellationToken).ConfigureAwait(false);
                pending = new List<BulkDocument>();
                foreach (var item in round)
                {
                    if (item.Status == 429 && attempt < ItemRetries) pending.Add(item.Document);
                    else results.Add(item);
                }
                if (pending.Count == 0) break;
                RetriedItems += pending.Count;
                RetriedRequests++;
                Http.RequestLog.Warning($"Elasticsearch rejected {pending.Count} document(s) with 429 (too many requests); sending them again in {delay.TotalSeconds:0.##} s.");
                await Http.Waits.Sleep(_client.Pipeline.Options.TimeProvider, delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
            results.Sort((a, b) => a.Document.Position.CompareTo(b.Document.Position));
            return results;
        }

        private async Task<List<BulkItemResult>> SendAsync(List<BulkDocument> documents, CancellationToken cancellationToken)
        {
            var createOnly = true;
            using var body = new MemoryStream();
            foreach (var document in documents)
            {
                var action = document.Id != null
                    ? "{\"create\":{\"_id\":" + JsonSerializer.Serialize(document.Id) + "}}"
                    : "{\"index\":{}}";
                createOnly &= document.Id != null;
                var bytes = Encoding.UTF8.GetBytes(action);
                body.Write(bytes, 0, bytes.Length);
                body.Write(Newline, 0, 1);
                body.Write(document.Json, 0, document.Json.Length);
                body.Write(Newline, 0, 1);
            }
            Batches++;
            var query = Refresh != null ? "?refresh=" + Uri.EscapeDataString(Refresh) : string.Empty;
            // Only an all-create batch is safe to repeat after a dropped connection: a 409 then means "already there".
            Http.ApiResponse response;
            try
            {
                response = await _client.BulkAsync(Index, body.ToArray(), createOnly, query, cancellationToken).ConfigureAwait(false);
            }
            catch (Http.SocApiException ex)
            {
                CountRetries(ex.Retries, documents.Count);
                throw;
            }
            CountRetries(response.Retries, documents.Count);
            using var doc = response.ParseJson();
            var items = doc.RootElement.GetProperty("items");
            var results = new List<BulkItemResult>(documents.Count);
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                if (i >= documents.Count) break;
                var document = documents[i++];
                foreach (var action in item.EnumerateObject())
                {
                    var result = action.Value;
                    var status = result.TryGetProperty("status", out var s) ? s.GetInt32() : 0;
                    var assigned = result.TryGetProperty("_id", out var id) ? id.GetString() : null;
                    string? type = null, reason = null;
                    if (result.TryGetProperty("error", out var error))
                    {
                        if (error.ValueKind == JsonValueKind.Object)
                        {
                            type = error.TryGetProperty("type", out var t) ? t.GetString() : null;
                            reason = error.TryGetProperty("reason", out var r) ? r.GetString() : null;
                        }
                        else reason = error.ToString();
                    }
                    BulkOutcome outcome;
                    if (status >= 200 && status < 300)
                        outcome = result.TryGetProperty("result", out var res) && res.GetString() == "updated" ? BulkOutcome.Updated : BulkOutcome.Created;
                    else if (status == 409 && action.Name == "create")
                        outcome = response.MayHaveRepeated ? BulkOutcome.ExistsAfterRetry : BulkOutcome.AlreadyExists;
                    else
                        outcome = BulkOutcome.Failed;
                    results.Add(new BulkItemResult(document, outcome, status, type, reason, assigned));
                    break;
                }
            }
            if (results.Count != documents.Count)
                throw new Http.SocApiException(Http.ApiFailureKind.Protocol, "Elasticsearch", $"Elasticsearch answered a bulk request of {documents.Count} documents with {results.Count} items; the batch's outcome is unknown. Run again with -IdProperty so a re-run cannot write twice.");
            return results;
        }

        private void CountRetries(int retries, int documents)
        {
            RetriedRequests += retries;
            RetriedItems += (long)retries * documents;
        }
    }
}
