using System;
using System.Collections.Generic;
using PSSocAutomation.Core;

namespace PSSocAutomation.Aws.SecurityHub
{
    /// <summary>
    /// What only a Security Hub finding has: the identifiers BatchUpdateFindings needs (Id and ProductArn), the account
    /// and region it belongs to, which product sent it, and its record and workflow state.
    /// </summary>
    public sealed class SecurityHubFindingFields : AlertSourceFields
    {
        public SecurityHubFindingFields(string productArn, string? awsAccountId, string? region, string? productName, string? companyName,
            string? generatorId, string? recordState, string? workflowStatus, DateTimeOffset? updatedAt, DateTimeOffset? createdAt, IReadOnlyList<string> types)
        {
            ProductArn = productArn;
            AwsAccountId = awsAccountId;
            Region = region;
            ProductName = productName;
            CompanyName = companyName;
            GeneratorId = generatorId;
            RecordState = recordState;
            WorkflowStatus = workflowStatus;
            UpdatedAt = updatedAt;
            CreatedAt = createdAt;
            Types = types;
        }

        public string ProductArn { get; }
        public string? AwsAccountId { get; }
        /// <summary>The finding's region: with cross-region aggregation not the one it was read from.</summary>
        public string? Region { get; }
        public string? ProductName { get; }
        public string? CompanyName { get; }
        public string? GeneratorId { get; }
        public string? RecordState { get; }
        public string? WorkflowStatus { get; }
        public DateTimeOffset? UpdatedAt { get; }
        public DateTimeOffset? CreatedAt { get; }
        public IReadOnlyList<string> Types { get; }

        public override IEnumerable<KeyValuePair<string, object?>> Fields
        {
            get
            {
                yield return new KeyValuePair<string, object?>(nameof(ProductArn), ProductArn);
                yield return new KeyValuePair<string, object?>(nameof(AwsAccountId), AwsAccountId);
                yield return new KeyValuePair<string, object?>(nameof(Region), Region);
                yield return new KeyValuePair<string, object?>(nameof(ProductName), ProductName);
                yield return new KeyValuePair<string, object?>(nameof(CompanyName), CompanyName);
                yield return new KeyValuePair<string, object?>(nameof(GeneratorId), GeneratorId);
                yield return new KeyValuePair<string, object?>(nameof(RecordState), RecordState);
                yield return new KeyValuePair<string, object?>(nameof(WorkflowStatus), WorkflowStatus);
                yield return new KeyValuePair<string, object?>(nameof(UpdatedAt), UpdatedAt);
                yield return new KeyValuePair<string, object?>(nameof(CreatedAt), CreatedAt);
                yield return new KeyValuePair<string, object?>(nameof(Types), Types);
            }
        }
    }
}
