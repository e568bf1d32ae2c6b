using System;

namespace PSSocAutomation.Aws.Iam
{
    /// <summary>Why a containment was refused before anything was sent that changes IAM.</summary>
    public enum IamContainmentRefusal
    {
        /// <summary>The account's root user: IAM policies cannot restrict it (secure it through its credentials and MFA instead).</summary>
        Root,
        /// <summary>A service-linked role (path /aws-service-role/): only its AWS service may change it.</summary>
        ServiceLinkedRole,
        /// <summary>The principal the connection itself signs as: containing it would lock the responder out mid-response.</summary>
        Self,
        /// <summary>A temporary access key (ASIA...): IAM does not know its owner; the finding or CloudTrail names the role.</summary>
        TemporaryAccessKey,
        /// <summary>An instance profile that holds no role: nothing to contain.</summary>
        InstanceProfileWithoutRole,
    }

    /// <summary>A containment refused before any change, with the reason a cmdlet turns into its ErrorId.</summary>
    public sealed class IamContainmentRefusedException : InvalidOperationException
    {
        public IamContainmentRefusedException(IamContainmentRefusal reason, string message)
            : base(message) => Reason = reason;

        public IamContainmentRefusal Reason { get; }
    }
}
