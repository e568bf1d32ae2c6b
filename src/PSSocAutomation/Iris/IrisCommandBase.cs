using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>What every IRIS cmdlet shares: -Connection (default: the session's), name look-ups, and bounded concurrent batches.</summary>
    public abstract class IrisCommandBase : ConnectedCommandBase<IrisConnection>
    {
        internal const string ErrorPrefix = "Iris";

        private protected override string ServiceName => "DFIR-IRIS";
        private protected override string ConnectNoun => "Iris";
        private protected override string ErrorIdPrefix => ErrorPrefix;

        internal IrisClient Client => ResolvedConnection.Client;

        internal IrisServerVersion Version => ResolvedConnection.Version;

        /// <summary>A name or id from a parameter; a name IRIS does not know is bad setup, so the command stops, listing the valid names.</summary>
        internal int ResolveOrThrow(IrisLookupKind kind, object value, string parameter)
        {
            try
            {
                return Run(ct => Client.Lookups.ResolveAsync(kind, PipelineInput.Unwrap(value)!, ct));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "Unknown" + kind, ErrorCategory.InvalidArgument, value) { ErrorDetails = new ErrorDetails($"{parameter}: {ex.Message}") });
                throw;
            }
            catch (SocApiException ex)
            {
                ThrowApiError(ex, ErrorPrefix, value);
                throw;
            }
        }

        internal (int Id, string? Name) ResolveCustomerOrThrow(object value)
        {
            try
            {
                return Run(ct => Client.Lookups.ResolveCustomerAsync(PipelineInput.Unwrap(value)!, ct));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "UnknownCustomer", ErrorCategory.InvalidArgument, value) { ErrorDetails = new ErrorDetails("-Customer: " + ex.Message) });
                throw;
            }
            catch (SocApiException ex)
            {
                ThrowApiError(ex, ErrorPrefix, value);
                throw;
            }
        }

        internal int ResolveSeverityOrThrow(object value)
        {
            try
            {
                return Run(ct => IrisSeverityMap.ResolveAsync(Client.Lookups, PipelineInput.Unwrap(value), strict: true, ct));
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "UnknownSeverity", ErrorCategory.InvalidArgument, value) { ErrorDetails = new ErrorDetails("-Severity: " + ex.Message) });
                throw;
            }
            catch (SocApiException ex)
            {
                ThrowApiError(ex, ErrorPrefix, value);
                throw;
            }
        }

        /// <summary>The object inside a PSObject, except for PSCustomObjects, whose properties live on the PSObject itself.</summary>

        /// <summary>Was the parameter given on the command line (not bound from the pipeline)? Valid in BeginProcessing.</summary>
        internal bool BoundOnCommandLine(string name) => MyInvocation.BoundParameters.ContainsKey(name);

        internal void ReportFailure(Exception ex, object? target)
        {
            if (ex is PipelineStoppedException) throw ex;
            WriteApiError(ex, ErrorPrefix, target);
        }

        /// <summary>
        /// Runs <paramref name="work"/> for each item, at most <paramref name="throttle"/> at a time, and returns every outcome
        /// in input order, so the caller writes results and errors on the pipeline thread in the order they came in.
        /// </summary>
        internal IReadOnlyList<(T Item, TResult? Result, Exception? Error)> RunBatch<T, TResult>(IReadOnlyList<T> items, int throttle, Func<T, CancellationToken, Task<TResult?>> work)
            where TResult : class
        {
            if (items.Count == 0) return Array.Empty<(T, TResult?, Exception?)>();
            return Run(async ct =>
            {
                using var gate = new SemaphoreSlim(Math.Max(1, throttle));
                var tasks = items.Select(async item =>
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        return (item, await work(item, ct).ConfigureAwait(false), (Exception?)null);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception ex)
                    {
                        return (item, (TResult?)null, ex);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }).ToList();
                return (IReadOnlyList<(T, TResult?, Exception?)>)await Task.WhenAll(tasks).ConfigureAwait(false);
            });
        }
    }
}
