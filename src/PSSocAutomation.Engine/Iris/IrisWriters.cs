using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using System.Linq;
using System.Text.Json.Nodes;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// One creation per key at a time, per connection: two inputs with the same SOC id (or source reference) in one
    /// batch, or two cmdlets sharing a connection, never race each other into two objects.
    /// </summary>
    internal sealed class KeyedOnce<T> where T : class
    {
        private readonly ConcurrentDictionary<string, Task<T>> _running = new ConcurrentDictionary<string, Task<T>>(StringComparer.Ordinal);

        /// <summary>Remove the entry only if it still holds this value (atomic; netstandard2.0 lacks TryRemove(KeyValuePair)).</summary>
        internal static bool RemoveIfSame<TKey, TValue>(ConcurrentDictionary<TKey, TValue> dictionary, TKey key, TValue value) where TKey : notnull =>
            ((ICollection<KeyValuePair<TKey, TValue>>)dictionary).Remove(new KeyValuePair<TKey, TValue>(key, value));

        /// <summary>
        /// Runs <paramref name="work"/> unless another caller is already running it for the key; then waits for that one
        /// and returns (its result, false). The work is the caller's own (its token, its log); a caller that waits for
        /// someone else's does so with its own token, so Ctrl+C in one cmdlet never waits on another's creation.
        /// </summary>
        public async Task<(T Result, bool Ran)> RunAsync(string key, Func<Task<T>> work, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var mine = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                var running = _running.GetOrAdd(key, mine.Task);
                if (!ReferenceEquals(running, mine.Task))
                {
                    try
                    {
                        return (await PSSocAutomation.Core.SharedWait.ForAsync(running, cancellationToken).ConfigureAwait(false), false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception)
                    {
                        // The other caller failed (and reports its own error); this caller tries for itself.
                        RemoveIfSame(_running, key, running);
                        continue;
                    }
                }
                try
                {
                    var result = await work().ConfigureAwait(false);
                    mine.TrySetResult(result);
                    return (result, true);
                }
                catch (Exception ex)
                {
                    mine.TrySetException(ex);
                    _ = mine.Task.Exception; // observed
                    throw;
                }
                finally
                {
                    RemoveIfSame(_running, key, mine.Task);
                }
            }
        }
    }

    /// <summary>What a look for a SOC id found: the module's own cases (oldest first) and cases that only share the SOC id.</summary>
    public sealed class IrisCaseMatch
    {
        internal IrisCaseMatch(IReadOnlyList<IrisCase> ours, IReadOnlyList<IrisCase> unmarked)
        {
            Ours = ours;
            Unmarked = unmarked;
        }

        /// <summary>Cases the module opened (or adopted) for the SOC id and customer, oldest first; more than one is a twin.</summary>
        public IReadOnlyList<IrisCase> Ours { get; }
        /// <summary>Cases with the SOC id and customer but without the module's mark (an escalated alert's case, a case made by hand).</summary>
        public IReadOnlyList<IrisCase> Unmarked { get; }
        /// <summary>The case the module keeps for the key: its oldest own case.</summary>
        public IrisCase? Kept => Ours.Count > 0 ? Ours[0] : null;
    }

    /// <summary>
    /// Creates cases exactly once per SOC id and customer: the case this module opened for that source alert (marked, see
    /// <see cref="IrisCaseMark"/>) is found and brought to what was asked instead of a second one being made; the look and
    /// the create run under a lock shared by the processes of this machine; a create whose answer was lost is looked for
    /// over <see cref="LateWriteWindow"/> before it is sent again, and a twin that appears anyway is reported.
    /// </summary>
    public sealed class IrisCaseWriter
    {
        private const string KeySpace = "iris-case";
        private readonly IrisClient _client;

        public IrisCaseWriter(IrisClient client) => _client = client;

        /// <summary>Create even when a case with the SOC id exists.</summary>
        public bool AllowDuplicate { get; set; }

        /// <summary>Take a case with the SOC id that lacks the module's mark (marking it), instead of opening the module's own.</summary>
        public bool AdoptExisting { get; set; }

        /// <summary>How long a create whose answer was lost is looked for before it is sent again.</summary>
        public TimeSpan LateWriteWindow { get; set; } = AmbiguousWrite.DefaultLateWriteWindow;

        /// <summary>How long to wait for another run on this machine that holds the key's lock.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

        public async Task<IrisCase> CreateAsync(IrisCaseCreate request, CancellationToken cancellationToken)
        {
            request.Validate();
            _client.RequireVersion();
            request.Description = IrisCaseMark.Mark(request.Description, request.SocId);
            if (!request.Tags.Contains(IrisCaseMark.Tag, StringComparer.OrdinalIgnoreCase)) request.Tags.Add(IrisCaseMark.Tag);
            if (AllowDuplicate || request.SocId.Length == 0)
            {
                // Nothing to look for (no SOC id, or duplicates allowed): an ambiguous failure is reported, never retried blind.
                var once = await _client.AddCaseAsync(request, cancellationToken).ConfigureAwait(false);
                return await SettleAsync(once, request, SinkOutcome.Created, SinkOutcome.Created, false, cancellationToken).ConfigureAwait(false);
            }

            var key = request.CustomerId.ToString(CultureInfo.InvariantCulture) + "\n" + request.SocId;
            var (result, ran) = await _client.CaseCreations.RunAsync(key, async () =>
            {
                using (await MachineKeyLock.AcquireAsync(_client.BaseUri, KeySpace, key, $"creating the DFIR-IRIS case for SOC id '{request.SocId}'", LockTimeout, _client.Pipeline.Options.TimeProvider, cancellationToken).ConfigureAwait(false))
                    return await CreateOrConvergeAsync(request, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            // A second input with the key in this run gets the first one's case, as found.
            return ran || result.Existing ? result : result.AsExisting();
        }

        private async Task<IrisCase> CreateOrConvergeAsync(IrisCaseCreate request, CancellationToken cancellationToken)
        {
            var match = await FindAsync(request.CustomerId, request.SocId, cancellationToken).ConfigureAwait(false);
            if (match.Kept is IrisCase kept)
            {
                ReportTwins(match, request);
                RequestLog.Verbose($"DFIR-IRIS case #{kept.CaseId} was opened for SOC id '{request.SocId}' (customer {request.CustomerId}) by an earlier run; not creating another.");
                return await SettleAsync(kept, request, SinkOutcome.Updated, SinkOutcome.Existing, true, cancellationToken).ConfigureAwait(false);
            }
            if (match.Unmarked.Count > 0)
            {
                var other = match.Unmarked[0];
                if (AdoptExisting)
                {
                    RequestLog.Verbose($"Adopting DFIR-IRIS case #{other.CaseId} '{other.Title}' for SOC id '{request.SocId}' (-AdoptExisting): it gets the {IrisCaseMark.Tag} tag.");
                    return await SettleAsync(other, request, SinkOutcome.Adopted, SinkOutcome.Adopted, true, cancellationToken).ConfigureAwait(false);
                }
                RequestLog.Warning($"DFIR-IRIS case #{other.CaseId} '{other.Title}' has SOC id '{request.SocId}' for customer {request.CustomerId} but was not opened by PSSocAutomation (an escalated alert's case, or one made by hand), so it is not taken as this alert's case: opening the module's own. To use that case instead, run again with -AdoptExisting.");
            }

            var (created, landed) = await AmbiguousWrite.CreateOnceAsync(_client.Pipeline, "case creation",
                ct => _client.AddCaseAsync(request, ct),
                async ct => (await FindAsync(request.CustomerId, request.SocId, ct).ConfigureAwait(false)).Kept,
                LateWriteWindow, cancellationToken).ConfigureAwait(false);

            // A lost attempt can land after the window, next to the case the retry made: keep the oldest, say so.
            var after = await FindAsync(request.CustomerId, request.SocId, cancellationToken).ConfigureAwait(false);
            if (after.Ours.Count > 1 && after.Kept is IrisCase oldest)
            {
                ReportTwins(after, request);
                if (oldest.CaseId != created.CaseId) created = oldest;
            }
            return await SettleAsync(created, request, SinkOutcome.Created, SinkOutcome.Created, false, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sets what the case lacks; a failure leaves it Incomplete, still returned (the caller writes the case, then the error).</summary>
        private async Task<IrisCase> SettleAsync(IrisCase current, IrisCaseCreate request, SinkOutcome whenChanged, SinkOutcome whenSame, bool existing, CancellationToken cancellationToken)
        {
            var version = _client.RequireVersion();
            if (existing && current.Tags is null && !version.HasCaseFilter)
                current = await _client.GetCaseAsync(current.CaseId, cancellationToken).ConfigureAwait(false); // the old list has no tags
            if (IrisClient.CaseChanges(current, request, version).Count == 0) return current.As(whenSame, existing);
            try
            {
                var settled = await _client.CompleteCaseAsync(current, request, cancellationToken).ConfigureAwait(false);
                return settled.As(whenChanged, existing);
            }
            catch (SocApiException ex)
            {
                return current.As(SinkOutcome.Incomplete, existing, ex);
            }
        }

        private static void ReportTwins(IrisCaseMatch match, IrisCaseCreate request)
        {
            if (match.Ours.Count < 2) return;
            var kept = match.Ours[0];
            var twins = string.Join(", ", match.Ours.Skip(1).Select(c => "#" + c.CaseId.ToString(CultureInfo.InvariantCulture)));
            RequestLog.Warning($"DFIR-IRIS has {match.Ours.Count} cases opened by PSSocAutomation for SOC id '{request.SocId}' (customer {request.CustomerId}): #{kept.CaseId} and {twins}, most likely a create whose answer was lost that landed after the module had created it again. The module keeps #{kept.CaseId}, the oldest; close or delete {twins} in IRIS.");
        }

        /// <summary>Every case with exactly this SOC id for this customer, split into the module's own and the others.</summary>
        public async Task<IrisCaseMatch> FindAsync(int customerId, string socId, CancellationToken cancellationToken)
        {
            var filter = new IrisCaseFilter { CustomerId = customerId, SocId = socId };
            if (!_client.RequireVersion().HasCaseFilter)
            {
                // The old case list names the customer but not its id.
                try { filter.CustomerName = (await _client.Lookups.ResolveCustomerAsync(customerId, cancellationToken).ConfigureAwait(false)).Name; }
                catch (ArgumentException) { }
            }
            var ours = new List<IrisCase>();
            var others = new List<IrisCase>();
            await foreach (var listed in _client.GetCasesAsync(filter, 50, cancellationToken).ConfigureAwait(false))
            {
                if (!string.Equals(listed.SocId, socId, StringComparison.Ordinal)) continue;
                var c = listed;
                // The case list before 2.3.4 has no tags: a case marked only by its tag is read by id.
                if (!IrisCaseMark.IsOn(c) && c.Tags is null && !_client.RequireVersion().HasCaseFilter)
                    c = await _client.GetCaseAsync(c.CaseId, cancellationToken).ConfigureAwait(false);
                (IrisCaseMark.IsOn(c) ? ours : others).Add(c);
            }
            ours.Sort((a, b) => a.CaseId.CompareTo(b.CaseId));
            others.Sort((a, b) => a.CaseId.CompareTo(b.CaseId));
            return new IrisCaseMatch(ours, others);
        }
    }

    /// <summary>
    /// Creates IRIS alerts, never two for one source reference and customer, on every IRIS version: an exact
    /// custom_conditions match on 2.4.17+, source_reference plus an exact compare on 2.4.15/16, and before that one scan
    /// of the alerts created within <see cref="DeduplicationWindow"/>, indexed by source reference.
    /// </summary>
    public sealed class IrisAlertWriter
    {
        private const string KeySpace = "iris-alert";
        private readonly IrisClient _client;
        private readonly ConcurrentDictionary<int, Lazy<Task<ConcurrentDictionary<string, int>>>> _index = new ConcurrentDictionary<int, Lazy<Task<ConcurrentDictionary<string, int>>>>();

        public IrisAlertWriter(IrisClient client) => _client = client;

        /// <summary>How long a create whose answer was lost is looked for before it is sent again.</summary>
        public TimeSpan LateWriteWindow { get; set; } = AmbiguousWrite.DefaultLateWriteWindow;

        /// <summary>How long to wait for another run on this machine that holds the key's lock.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Create even when an alert with the source reference exists.</summary>
        public bool AllowDuplicate { get; set; }

        /// <summary>Before IRIS 2.4.15 (no source reference filter): how far back, by creation time, to look for an earlier alert.</summary>
        public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromDays(7);

        /// <summary>Alerts per page when looking (default 100).</summary>
        public int PageSize { get; set; } = 100;

        public async Task<IrisAlert> CreateAsync(IrisAlertCreate request, CancellationToken cancellationToken)
        {
            request.Validate();
            var sourceRef = request.SourceRef ?? string.Empty;
            var customerId = request.CustomerId;
            if (AllowDuplicate || sourceRef.Length == 0)
            {
                // Nothing to look for (no source reference, or duplicates allowed): an ambiguous failure is reported, never retried blind.
                return (await _client.CreateAlertAsync(request, cancellationToken).ConfigureAwait(false)).As(SinkOutcome.Created, false);
            }

            var key = customerId.ToString(CultureInfo.InvariantCulture) + "\n" + sourceRef;
            var (result, ran) = await _client.AlertCreations.RunAsync(key, async () =>
            {
                using (await MachineKeyLock.AcquireAsync(_client.BaseUri, KeySpace, key, $"creating the DFIR-IRIS alert for source reference '{sourceRef}'", LockTimeout, _client.Pipeline.Options.TimeProvider, cancellationToken).ConfigureAwait(false))
                {
                    var existing = await FindAsync(customerId, sourceRef, null, cancellationToken).ConfigureAwait(false);
                    if (existing != null)
                    {
                        RequestLog.Verbose($"DFIR-IRIS alert {existing.AlertId} already has source reference '{sourceRef}' for customer {customerId}; not creating another.");
                        return await ConvergeAsync(existing, request, cancellationToken).ConfigureAwait(false);
                    }
                    return await CreateGuardedAsync(request, customerId, sourceRef, cancellationToken).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);
            return ran || result.Existing ? result : result.AsExisting();
        }

        private async Task<IrisAlert> CreateGuardedAsync(IrisAlertCreate request, int customerId, string sourceRef, CancellationToken cancellationToken)
        {
            var started = DateTimeOffset.UtcNow;
            var (created, _) = await AmbiguousWrite.CreateOnceAsync(_client.Pipeline, "alert creation",
                ct => _client.CreateAlertAsync(request, ct),
                ct => FindAsync(customerId, sourceRef, started, ct),
                LateWriteWindow, cancellationToken).ConfigureAwait(false);

            // A lost attempt can land after the window, next to the alert the retry made: keep the oldest, say so.
            var all = await FindAllRecentAsync(customerId, sourceRef, started, cancellationToken).ConfigureAwait(false);
            if (all.Count > 1)
            {
                var kept = all[0];
                var twins = string.Join(", ", all.Skip(1).Select(a => a.AlertId.ToString(CultureInfo.InvariantCulture)));
                RequestLog.Warning($"DFIR-IRIS has {all.Count} alerts with source reference '{sourceRef}' (customer {customerId}): {kept.AlertId} and {twins}, most likely a create whose answer was lost that landed after the module had created it again. The module keeps alert {kept.AlertId}, the oldest; delete {twins} in IRIS.");
                created = kept;
            }
            if (_index.TryGetValue(customerId, out var lazy) && lazy.IsValueCreated && lazy.Value.Status == TaskStatus.RanToCompletion)
                lazy.Value.Result.TryAdd(sourceRef, created.AlertId);
            return created.As(SinkOutcome.Created, false);
        }

        /// <summary>Every alert with the source reference created since <paramref name="since"/> (minus a margin for clock skew), oldest first.</summary>
        private async Task<List<IrisAlert>> FindAllRecentAsync(int customerId, string sourceRef, DateTimeOffset since, CancellationToken cancellationToken)
        {
            var version = _client.RequireVersion();
            var filter = version.HasSourceReferenceFilter
                ? new IrisAlertFilter { CustomerId = customerId, SourceReference = sourceRef, Sort = "asc" }
                : new IrisAlertFilter { CustomerId = customerId, CreatedFrom = since.AddMinutes(-10), CreatedTo = DateTimeOffset.UtcNow.AddDays(1), Sort = "asc" };
            var all = new List<IrisAlert>();
            await foreach (var alert in _client.GetAlertsAsync(filter, PageSize, cancellationToken).ConfigureAwait(false))
                if (string.Equals(alert.SourceRef, sourceRef, StringComparison.Ordinal)) all.Add(alert);
            all.Sort((x, y) => x.AlertId.CompareTo(y.AlertId));
            return all;
        }

        /// <summary>An alert found for the key, brought to what was asked (severity, classification, missing tags); Incomplete when that fails.</summary>
        private async Task<IrisAlert> ConvergeAsync(IrisAlert existing, IrisAlertCreate request, CancellationToken cancellationToken)
        {
            var update = new JsonObject();
            if (request.SeverityId > 0 && existing.SeverityId != request.SeverityId) update["alert_severity_id"] = request.SeverityId;
            if (request.ClassificationId is int classification && existing.ClassificationId != classification) update["alert_classification_id"] = classification;
            if (IrisTags.WithMissing(existing.Tags, request.Tags) is string tags) update["alert_tags"] = tags;
            if (update.Count == 0) return existing.As(SinkOutcome.Existing, true);
            try
            {
                var updated = await _client.UpdateAlertAsync(existing.AlertId, update, cancellationToken).ConfigureAwait(false);
                return updated.As(SinkOutcome.Updated, true);
            }
            catch (SocApiException ex)
            {
                return existing.As(SinkOutcome.Incomplete, true, IrisClient.PartlyDone(ex, "alert " + existing.AlertId.ToString(CultureInfo.InvariantCulture), update));
            }
        }

        /// <summary>
        /// The alert with exactly this source reference for this customer, or null. <paramref name="createdSince"/> asks
        /// for a fresh look at alerts created since then (after an ambiguous failure) instead of the batch's index.
        /// </summary>
        public async Task<IrisAlert?> FindAsync(int customerId, string sourceRef, DateTimeOffset? createdSince, CancellationToken cancellationToken)
        {
            var version = _client.RequireVersion();
            if (version.HasSourceReferenceFilter)
            {
                var filter = new IrisAlertFilter { CustomerId = customerId, SourceReference = sourceRef, Sort = "asc" };
                await foreach (var alert in _client.GetAlertsAsync(filter, PageSize, cancellationToken).ConfigureAwait(false))
                    if (string.Equals(alert.SourceRef, sourceRef, StringComparison.Ordinal)) return alert;
                return null;
            }

            if (createdSince is DateTimeOffset since)
            {
                var recent = new IrisAlertFilter { CustomerId = customerId, CreatedFrom = since.AddMinutes(-10), CreatedTo = DateTimeOffset.UtcNow.AddDays(1) };
                await foreach (var alert in _client.GetAlertsAsync(recent, PageSize, cancellationToken).ConfigureAwait(false))
                    if (string.Equals(alert.SourceRef, sourceRef, StringComparison.Ordinal)) return alert;
                return null;
            }

            var index = await IndexAsync(customerId, cancellationToken).ConfigureAwait(false);
            if (!index.TryGetValue(sourceRef, out var id)) return null;
            return await _client.GetAlertAsync(id, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Source reference → alert id of every alert of the customer created within the window: one scan per batch.</summary>
        private Task<ConcurrentDictionary<string, int>> IndexAsync(int customerId, CancellationToken cancellationToken)
        {
            var lazy = _index.GetOrAdd(customerId, id => new Lazy<Task<ConcurrentDictionary<string, int>>>(() => ScanAsync(id, cancellationToken), LazyThreadSafetyMode.ExecutionAndPublication));
            var task = lazy.Value;
            if (task.IsFaulted || task.IsCanceled) KeyedOnce<IrisAlert>.RemoveIfSame(_index, customerId, lazy);
            return task;
        }

        private async Task<ConcurrentDictionary<string, int>> ScanAsync(int customerId, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            var filter = new IrisAlertFilter { CustomerId = customerId, CreatedFrom = now - DeduplicationWindow, CreatedTo = now.AddDays(1), Sort = "asc" };
            var index = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
            var seen = 0;
            await foreach (var alert in _client.GetAlertsAsync(filter, PageSize, cancellationToken).ConfigureAwait(false))
            {
                seen++;
                if (!string.IsNullOrEmpty(alert.SourceRef)) index.TryAdd(alert.SourceRef!, alert.AlertId);
            }
            RequestLog.Verbose($"DFIR-IRIS {_client.Version} has no source reference filter: indexed {index.Count} source reference(s) from {seen} alert(s) of customer {customerId} created in the last {DeduplicationWindow.TotalDays:0.#} day(s).");
            return index;
        }
    }
}
