using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Polly;
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

    /// <summary>
    /// Creates cases without doubling them: by default a case that already has this SOC id for this customer is returned
    /// (marked Existing) instead of a new one; a create that failed ambiguously is looked for before it is retried.
    /// </summary>
    public sealed class IrisCaseWriter
    {
        private readonly IrisClient _client;
        private readonly ResiliencePipeline _retry;

        public IrisCaseWriter(IrisClient client)
        {
            _client = client;
            _retry = client.Pipeline.AmbiguousWriteRetry("case creation");
        }

        /// <summary>Create even when a case with the SOC id exists.</summary>
        public bool AllowDuplicate { get; set; }

        public async Task<IrisCase> CreateAsync(IrisCaseCreate request, CancellationToken cancellationToken)
        {
            request.Validate();
            _client.RequireVersion();
            if (AllowDuplicate || request.SocId.Length == 0)
                return await CreateGuardedAsync(request, cancellationToken, lookFirst: false).ConfigureAwait(false);

            var key = request.CustomerId.ToString(CultureInfo.InvariantCulture) + "\n" + request.SocId;
            var (result, ran) = await _client.CaseCreations.RunAsync(key, async () =>
            {
                var existing = await FindAsync(request.CustomerId, request.SocId, cancellationToken).ConfigureAwait(false);
                if (existing != null)
                {
                    RequestLog.Verbose($"DFIR-IRIS case #{existing.CaseId} already has SOC id '{request.SocId}' for customer {request.CustomerId}; not creating another.");
                    return existing.AsExisting();
                }
                return await CreateGuardedAsync(request, cancellationToken, lookFirst: true).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            return ran || result.Existing ? result : result.AsExisting();
        }

        private async Task<IrisCase> CreateGuardedAsync(IrisCaseCreate request, CancellationToken cancellationToken, bool lookFirst)
        {
            if (!lookFirst)
            {
                // Nothing to look for (no SOC id, or duplicates allowed): an ambiguous failure is reported, never retried blind.
                var once = await _client.AddCaseAsync(request, cancellationToken).ConfigureAwait(false);
                return await _client.CompleteCaseAsync(once, request, cancellationToken).ConfigureAwait(false);
            }
            var attempt = 0;
            var created = await _retry.ExecuteAsync(async token =>
            {
                if (attempt++ > 0)
                {
                    var found = await FindAsync(request.CustomerId, request.SocId, token).ConfigureAwait(false);
                    if (found != null)
                    {
                        RequestLog.Verbose($"DFIR-IRIS case #{found.CaseId} for SOC id '{request.SocId}' was created by the attempt that failed; not creating it again.");
                        return found;
                    }
                }
                return await _client.AddCaseAsync(request, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            return await _client.CompleteCaseAsync(created, request, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The oldest case with exactly this SOC id for this customer, or null.</summary>
        public async Task<IrisCase?> FindAsync(int customerId, string socId, CancellationToken cancellationToken)
        {
            var filter = new IrisCaseFilter { CustomerId = customerId, SocId = socId };
            if (!_client.RequireVersion().HasCaseFilter)
            {
                // The old case list names the customer but not its id.
                try { filter.CustomerName = (await _client.Lookups.ResolveCustomerAsync(customerId, cancellationToken).ConfigureAwait(false)).Name; }
                catch (ArgumentException) { }
            }
            await foreach (var c in _client.GetCasesAsync(filter, 50, cancellationToken).ConfigureAwait(false))
            {
                if (string.Equals(c.SocId, socId, StringComparison.Ordinal)) return c;
            }
            return null;
        }
    }

    /// <summary>
    /// Creates IRIS alerts, never two for one source reference and customer, on every IRIS version: an exact
    /// custom_conditions match on 2.4.17+, source_reference plus an exact compare on 2.4.15/16, and before that one scan
    /// of the alerts created within <see cref="DeduplicationWindow"/>, indexed by source reference.
    /// </summary>
    public sealed class IrisAlertWriter
    {
        private readonly IrisClient _client;
        private readonly ResiliencePipeline _retry;
        private readonly ConcurrentDictionary<int, Lazy<Task<ConcurrentDictionary<string, int>>>> _index = new ConcurrentDictionary<int, Lazy<Task<ConcurrentDictionary<string, int>>>>();

        public IrisAlertWriter(IrisClient client)
        {
            _client = client;
            _retry = client.Pipeline.AmbiguousWriteRetry("alert creation");
        }

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
                return await CreateGuardedAsync(request, customerId, sourceRef, cancellationToken, lookFirst: false).ConfigureAwait(false);

            var key = customerId.ToString(CultureInfo.InvariantCulture) + "\n" + sourceRef;
            var (result, ran) = await _client.AlertCreations.RunAsync(key, async () =>
            {
                var existing = await FindAsync(customerId, sourceRef, null, cancellationToken).ConfigureAwait(false);
                if (existing != null)
                {
                    RequestLog.Verbose($"DFIR-IRIS alert {existing.AlertId} already has source reference '{sourceRef}' for customer {customerId}; not creating another.");
                    return existing.AsExisting();
                }
                return await CreateGuardedAsync(request, customerId, sourceRef, cancellationToken, lookFirst: true).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            return ran || result.Existing ? result : result.AsExisting();
        }

        private async Task<IrisAlert> CreateGuardedAsync(IrisAlertCreate request, int customerId, string sourceRef, CancellationToken cancellationToken, bool lookFirst)
        {
            if (!lookFirst)
            {
                // Nothing to look for (no source reference, or duplicates allowed): an ambiguous failure is reported, never retried blind.
                return await _client.CreateAlertAsync(request, cancellationToken).ConfigureAwait(false);
            }
            var attempt = 0;
            var started = DateTimeOffset.UtcNow;
            var created = await _retry.ExecuteAsync(async token =>
            {
                if (attempt++ > 0)
                {
                    var found = await FindAsync(customerId, sourceRef, started, token).ConfigureAwait(false);
                    if (found != null)
                    {
                        RequestLog.Verbose($"DFIR-IRIS alert {found.AlertId} for source reference '{sourceRef}' was created by the attempt that failed; not creating it again.");
                        return found;
                    }
                }
                return await _client.CreateAlertAsync(request, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            if (sourceRef.Length > 0 && _index.TryGetValue(customerId, out var lazy) && lazy.IsValueCreated && lazy.Value.Status == TaskStatus.RanToCompletion)
                lazy.Value.Result.TryAdd(sourceRef, created.AlertId);
            return created;
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
