namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Why an input was not read as Security Hub findings. Stable: the cmdlet builds its ErrorId from it, so scripts
    /// and alerts can branch on it.
    /// </summary>
    public enum SecurityHubEventErrorKind
    {
        /// <summary>The input is none of the shapes read here (EventBridge event, SNS envelope, WebhookData, GetFindings body).</summary>
        NotAnEvent,
        /// <summary>The text is not JSON (or an SNS Message that should hold JSON does not).</summary>
        MalformedJson,
        /// <summary>An SNS envelope with a missing or wrongly typed field, or an unknown Type.</summary>
        InvalidEnvelope,
        /// <summary>A Security Hub event of a detail-type that carries no ASFF findings (Insight Results, the V2 OCSF events...).</summary>
        UnknownDetailType,
        /// <summary>An EventBridge event whose source is not aws.securityhub.</summary>
        NotSecurityHub,
        /// <summary>A findings event whose detail.findings is absent or empty.</summary>
        NoFindings,
        /// <summary>An SNS envelope without Signature, SignatureVersion or SigningCertURL.</summary>
        SignatureMissing,
        /// <summary>A SignatureVersion other than "1" (RSA-SHA1) or "2" (RSA-SHA256).</summary>
        UnsupportedSignatureVersion,
        /// <summary>The signature does not match the message: changed on the way, or not from Amazon SNS.</summary>
        SignatureInvalid,
        /// <summary>SigningCertURL is not an Amazon SNS certificate address; it was not fetched.</summary>
        CertificateUrlRefused,
        /// <summary>The signing certificate could not be had (network, HTTP status, not a PEM certificate, nothing pinned).</summary>
        CertificateUnavailable,
        /// <summary>The certificate was had but is not fit to trust: not issued to Amazon SNS, outside its validity, chain not trusted.</summary>
        CertificateRefused,
        /// <summary>SNS raw message delivery (no envelope, so no signature), refused unless unsigned input is allowed.</summary>
        RawDeliveryRefused,
        /// <summary>The SNS TopicArn is not in the allowed list.</summary>
        TopicRefused,
    }
}
