using System;

namespace PSSocAutomation.Http
{
    /// <summary>How one vendor spells its errors, so the one pipeline can report them in the vendor's own terms.</summary>
    public interface IVendorErrors
    {
        /// <summary>"Elasticsearch", "DFIR-IRIS" ...</summary>
        string ServiceName { get; }

        /// <summary>
        /// Pull the vendor's error type and reason out of an error body, in whatever format the vendor answers (JSON,
        /// AWS query XML, Slack's plain-text codes): the status, the Content-Type header as sent and the raw bytes.
        /// Return (null, null) for a body the vendor does not recognise; the pipeline then quotes a body that is not
        /// JSON as the reason. HTML pages never get here: the pipeline names them itself.
        /// </summary>
        (string? Type, string? Reason) Describe(int status, string? contentType, ReadOnlyMemory<byte> body);

        /// <summary>What the user should do next for this failure, in this vendor's terms.</summary>
        string? Advice(ApiFailureKind kind, int? status, string? vendorType);

        /// <summary>
        /// The vendor's last word on a failure before it is thrown: a different kind where the vendor's status misleads
        /// (IRIS answers "not found" with 400), or a message in its terms. Return the failure itself to keep it.
        /// </summary>
        SocApiException Refine(SocApiException failure);
    }
}
