using System;
using System.Management.Automation;
using PSSocAutomation.Core;

namespace PSSocAutomation.Elastic
{
    /// <summary>What every Elastic cmdlet shares: -Connection, defaulting to the runspace's current connection.</summary>
    public abstract class ElasticCommandBase : ConnectedCommandBase<ElasticConnection>
    {
        internal const string ErrorPrefix = "Elastic";

        private protected override string ServiceName => "Elasticsearch";
        private protected override string ConnectNoun => "Elastic";
        private protected override string ErrorIdPrefix => ErrorPrefix;

        internal ElasticClient Client => ResolvedConnection.Client;

        /// <summary>
        /// A time parameter (-Since, -Overlap): '15m', a TimeSpan, a date. A bad one stops the command with
        /// Elastic&lt;ParameterName&gt; as its ErrorId and a message that names the parameter.
        /// </summary>
        private protected TimeWindow? ParseTime(object? value, string parameter)
        {
            if (value is null) return null;
            try
            {
                return TimeWindow.Parse(PipelineInput.Unwrap(value)!, "-" + parameter);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "Invalid" + parameter, ErrorCategory.InvalidArgument, value) { ErrorDetails = new ErrorDetails(ex.Message) });
                return null;
            }
        }
    }
}
