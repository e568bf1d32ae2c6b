using System;
using System.Diagnostics;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// <para type="synopsis">Indexes piped objects into Elasticsearch through the Bulk API, idempotently when given an id.</para>
    /// <para type="description">Send-ElasticDocument batches piped objects (hashtables, objects, alerts, JSON strings) into _bulk requests bounded by -BatchSize and -MaxBatchBytes. With -IdProperty each document is written with a create action under that id, so running the same script again writes nothing twice: a document that is already there counts as AlreadyExisted, not as an error. A request whose answer was lost is sent again (only when every action is such a create); a document it then finds already written counts as ExistedAfterRetry, because Elasticsearch gives the same 409 whether the lost attempt wrote it or an earlier run did. Items Elasticsearch rejects with 429 are sent again with back-off; any other rejected document is a non-terminating error naming it. When a whole request fails, sending stops: its documents count as Failed and those piped in after it as NotSent. A summary object is written at the end: Received equals Created + Updated + AlreadyExisted + ExistedAfterRetry + Failed + Skipped + NotSent, and Retried and RetriedRequests count the documents and requests sent more than once. -WhatIf and -Confirm (and -Verbose) speak once per batch, naming its first and last document.</para>
    /// </summary>
    /// <example><code>Import-Csv alerts.csv | Send-ElasticDocument -Index alerts -IdProperty alert_id</code><para>Indexes each row of a CSV file as a document whose _id is its alert_id, in bulk requests, so sending the file twice does not double a document.</para></example>
    /// <example><code>$actions | Send-ElasticDocument -Index soc-audit -IdProperty action_id -Refresh wait_for</code><para>Writes the script's audit records to soc-audit and waits until they are searchable before returning.</para></example>
    [Cmdlet(VerbsCommunications.Send, "ElasticDocument", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SendElasticDocumentResult))]
    public sealed class SendElasticDocumentCommand : ElasticCommandBase
    {
        /// <summary>The document: a hashtable, an object, an alert (its original document is written) or a JSON string.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public object InputObject { get; set; } = null!;

        /// <summary>The index, alias or data stream to write to: one name, no list or pattern.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ValidateIndexName(Single = true)]
        [ArgumentCompleter(typeof(ElasticIndexCompleter))]
        public string Index { get; set; } = string.Empty;

        /// <summary>The property whose value is the document's _id; makes writes create-only and so idempotent.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IdProperty { get; set; }

        /// <summary>Documents per _bulk request (default 500).</summary>
        [Parameter]
        [ValidateRange(1, 100000)]
        public int BatchSize { get; set; } = 500;

        /// <summary>Bytes per _bulk request (default 5242880, 5 MB; Elasticsearch refuses requests over 100 MB).</summary>
        [Parameter]
        [ValidateRange(1024, 100L * 1024 * 1024)]
        public long MaxBatchBytes { get; set; } = 5L * 1024 * 1024;

        /// <summary>Make the documents searchable: true, false or wait_for (default: Elasticsearch's refresh interval).</summary>
        [Parameter]
        [ValidateSet("true", "false", "wait_for")]
        public string? Refresh { get; set; }

        private ElasticBulkWriter? _writer;
        private readonly SendElasticDocumentResult _result = new SendElasticDocumentResult();
        private readonly Stopwatch _clock = new Stopwatch();
        private ProgressReporter? _progress;
        private bool _failedHard;

        protected override void Begin()
        {
            _writer = new ElasticBulkWriter(Client, Index, BatchSize, MaxBatchBytes, Refresh);
            _result.Index = Index;
            _progress = new ProgressReporter(this, 0x5E1B, "Send-ElasticDocument " + Index);
            _clock.Start();
        }

        protected override void ProcessRecord()
        {
            var position = ++_result.Received;
            if (_failedHard)
            {
                // Counted, not sent: the summary accounts for every document piped in.
                _result.NotSent++;
                return;
            }
            string? id = null;
            byte[] json;
            try
            {
                var input = PipelineInput.Unwrap(InputObject);
                var parsed = input is string text ? JsonBody.ParseText(text, $"Document #{position}") : null;
                json = parsed != null ? JsonBody.ToUtf8(parsed) : JsonBody.ToUtf8(InputObject);
                if (json.Length == 0 || json[0] != (byte)'{') throw new ArgumentException($"Document #{position} is not a JSON object.");
                if (IdProperty != null)
                {
                    id = parsed is System.Text.Json.Nodes.JsonObject obj
                        ? (obj.TryGetPropertyValue(IdProperty, out var node) && node != null ? (node is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var str) ? str : node.ToJsonString()) : null)
                        : PipelineInput.Text(PipelineInput.Prop(InputObject, IdProperty));
                    if (string.IsNullOrEmpty(id))
                    {
                        _result.Skipped++;
                        WriteError(new ErrorRecord(new ArgumentException($"Document #{position} has no value in '{IdProperty}', so it cannot be written idempotently; it was not sent."), "ElasticDocumentWithoutId", ErrorCategory.InvalidData, InputObject));
                        return;
                    }
                }
            }
            catch (ArgumentException ex)
            {
                _result.Skipped++;
                WriteError(new ErrorRecord(ex, "ElasticInvalidDocument", ErrorCategory.InvalidData, InputObject));
                return;
            }

            if (_writer!.Add(new BulkDocument(json, id, position, InputObject))) Flush();
        }

        protected override void EndProcessing()
        {
            if (!_failedHard) Flush();
            _progress?.Complete();
            _clock.Stop();
            _result.Elapsed = _clock.Elapsed;
            _result.Batches = _writer?.Batches ?? 0;
            _result.Retried = _writer?.RetriedItems ?? 0;
            _result.RetriedRequests = _writer?.RetriedRequests ?? 0;
            WriteObject(_result);
        }

        private void Flush()
        {
            if (_writer is null || _writer.PendingCount == 0) return;
            var pending = _writer.PendingCount;
            // Asked once per _bulk request, not per document: -Verbose and -Confirm would otherwise say a line (or ask)
            // for each of thousands of documents.
            var documents = _writer.Pending;
            var target = Index + ": " + documents[0].Describe() + (pending > 1 ? " to " + documents[pending - 1].Describe() : string.Empty);
            if (!ShouldProcess(target, $"Index {pending} document(s)"))
            {
                _result.Skipped += _writer.Discard();
                return;
            }
            try
            {
                foreach (var item in Run(ct => _writer.FlushAsync(ct)))
                {
                    switch (item.Outcome)
                    {
                        case BulkOutcome.Created: _result.Created++; break;
                        case BulkOutcome.Updated: _result.Updated++; break;
                        case BulkOutcome.AlreadyExists: _result.AlreadyExisted++; break;
                        case BulkOutcome.ExistsAfterRetry: _result.ExistedAfterRetry++; break;
                        default:
                            _result.Failed++;
                            var message = $"Elasticsearch rejected {item.Document.Describe()} for index '{Index}' with status {item.Status}" +
                                          (item.ErrorType is null ? "." : $" ({item.ErrorType}: {item.ErrorReason}).") +
                                          (item.ErrorType == "mapper_parsing_exception" || item.ErrorType == "document_parsing_exception" ? " A field's value does not fit the index mapping; fix the document or the mapping." : string.Empty);
                            var ex = new SocApiException(ApiErrorFactory.KindOf(item.Status), "Elasticsearch", message) { StatusCode = item.Status, VendorType = item.ErrorType, VendorReason = item.ErrorReason };
                            WriteApiError(ex, ErrorPrefix + "Document", item.Document.Input);
                            break;
                    }
                }
            }
            catch (SocApiException ex)
            {
                // The whole request failed: nothing in this batch is known to be written. Say so and stop sending.
                _result.Failed += pending;
                _failedHard = true;
                var hint = IdProperty != null ? " Run the command again: documents already written will be skipped." : " Without -IdProperty a re-run may write some documents twice.";
                WriteApiError(ex.WithMessage(ex.Message + $" The batch of {pending} document(s) was not confirmed and no further documents were sent." + hint), ErrorPrefix + "Bulk", Index);
            }
            _progress?.Report($"{_result.Created + _result.Updated + _result.AlreadyExisted + _result.ExistedAfterRetry} of {_result.Received} documents written", _result.Received);
        }
    }
}
