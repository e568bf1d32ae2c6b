using System;
using System.Management.Automation;
using PSSocAutomation.Core;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>What every IRIS cmdlet shares: -Connection (default: the session's) and name look-ups that stop the command on a bad name.</summary>
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

        internal void ReportFailure(Exception ex, object? target)
        {
            if (ex is PipelineStoppedException) throw ex;
            WriteApiError(ex, ErrorPrefix, target);
        }
    }
}
