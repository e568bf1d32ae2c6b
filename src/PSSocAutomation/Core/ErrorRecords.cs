using System;
using System.Management.Automation;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>One mapping from failures to ErrorRecords, so every cmdlet reports the same failure the same way.</summary>
    public static class ErrorRecords
    {
        /// <summary>ErrorId = prefix + kind, e.g. "ElasticAuthentication", stable for try/catch and tests; <paramref name="errorId"/> names it instead when the failure means something more precise (IrisCaseIncomplete).</summary>
        public static ErrorRecord From(Exception exception, string errorIdPrefix, object? target, string? errorId = null)
        {
            if (exception is SocApiException api)
            {
                var record = new ErrorRecord(api, errorId ?? errorIdPrefix + api.Kind, CategoryOf(api.Kind), target);
                record.ErrorDetails = new ErrorDetails(Shown(api));
                if (!string.IsNullOrEmpty(api.RecommendedAction)) record.ErrorDetails.RecommendedAction = api.RecommendedAction;
                return record;
            }
            if (exception is ArgumentException)
                return new ErrorRecord(exception, errorIdPrefix + "InvalidArgument", ErrorCategory.InvalidArgument, target);
            if (exception is FormatException || exception is System.Text.Json.JsonException)
                return new ErrorRecord(exception, errorIdPrefix + "InvalidData", ErrorCategory.InvalidData, target);
            return new ErrorRecord(exception, errorIdPrefix + "Failed", ErrorCategory.NotSpecified, target);
        }

        /// <summary>
        /// The message PowerShell shows. It prints RecommendedAction on a line of its own ("Recommendation: ..."), so
        /// the advice a message ends with is left out above it rather than said twice; the exception's Message keeps
        /// it whole, for logs and catch blocks.
        /// </summary>
        private static string Shown(SocApiException api)
        {
            var message = api.Message;
            var advice = api.RecommendedAction;
            if (string.IsNullOrEmpty(advice) || message.Length <= advice!.Length || !message.EndsWith(advice, StringComparison.Ordinal)) return message;
            return message.Substring(0, message.Length - advice.Length).TrimEnd();
        }

        public static ErrorCategory CategoryOf(ApiFailureKind kind)
        {
            switch (kind)
            {
                case ApiFailureKind.Authentication: return ErrorCategory.AuthenticationError;
                case ApiFailureKind.Permission: return ErrorCategory.PermissionDenied;
                case ApiFailureKind.NotFound: return ErrorCategory.ObjectNotFound;
                case ApiFailureKind.InvalidRequest: return ErrorCategory.InvalidArgument;
                case ApiFailureKind.Throttled: return ErrorCategory.LimitsExceeded;
                case ApiFailureKind.HtmlPage:
                case ApiFailureKind.InvalidResponse:
                case ApiFailureKind.Protocol: return ErrorCategory.InvalidResult;
                case ApiFailureKind.Connection: return ErrorCategory.ConnectionError;
                case ApiFailureKind.Tls: return ErrorCategory.SecurityError;
                case ApiFailureKind.Timeout: return ErrorCategory.OperationTimeout;
                case ApiFailureKind.Conflict: return ErrorCategory.ResourceExists;
                default: return ErrorCategory.InvalidOperation;
            }
        }
    }
}
