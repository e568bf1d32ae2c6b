using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace PSSocAutomation.Lab.Sns;

/// <summary>
/// Signs SNS HTTP/JSON envelopes the way Amazon SNS does (SignatureVersion 1 = RSA-SHA1, 2 = RSA-SHA256, PKCS#1 v1.5,
/// over "Name\nValue\n" of the signed keys in byte order), with a key of its own: a test certificate authority and a
/// leaf issued by it to CN=sns.amazonaws.com, both generated per signer so no key material lives in the repository.
/// Tests pin <see cref="Certificate"/> (or <see cref="CertificatePem"/>) in the module's verifier; nothing here
/// shares code with that verifier, so the two check each other.
/// </summary>
public sealed class LabSnsSigner : IDisposable
{
    private readonly RSA _leafKey;
    private readonly X509Certificate2 _authority;
    private readonly X509Certificate2 _leaf;

    public LabSnsSigner(string region = "us-east-1")
    {
        Region = region;
        var now = DateTimeOffset.UtcNow;
        using (var authorityKey = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=PSSocAutomation Lab SNS Test CA, O=PSSocAutomation Lab", authorityKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            _authority = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
        }

        _leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=sns.amazonaws.com", _leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("sns.amazonaws.com");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial, as RFC 5280 asks
        using var issued = leafRequest.Create(_authority, now.AddHours(-1), now.AddYears(1), serial);
        _leaf = issued.CopyWithPrivateKey(_leafKey);

        // Like SNS's own names (SimpleNotificationService-<32 hex>.pem), derived from this certificate so each signer's differs.
        var hex = Convert.ToHexString(SHA256.HashData(_leaf.RawData), 0, 16).ToLowerInvariant();
        SigningCertUrl = "https://sns." + region + ".amazonaws.com/SimpleNotificationService-" + hex + ".pem";
    }

    public string Region { get; }

    /// <summary>The SigningCertURL every envelope names (an SNS-shaped URL: the verifier's URL rules pass it; pin the certificate to it).</summary>
    public string SigningCertUrl { get; }

    /// <summary>The leaf (CN=sns.amazonaws.com), public part only: what a test pins.</summary>
    public X509Certificate2 Certificate => X509CertificateLoader.LoadCertificate(_leaf.RawData);

    /// <summary>The leaf as PEM, what SNS serves at the SigningCertURL.</summary>
    public string CertificatePem => _leaf.ExportCertificatePem();

    /// <summary>The test authority that issued the leaf, for a chain check against a private root.</summary>
    public X509Certificate2 Authority => X509CertificateLoader.LoadCertificate(_authority.RawData);

    /// <summary>
    /// An SNS Notification carrying <paramref name="message"/> (for an EventBridge target: the event JSON, which ends up
    /// serialised once more inside Message, as SNS does). No Subject unless given, as EventBridge publishes none.
    /// </summary>
    public string SignNotification(string message, string topicArn, int signatureVersion = 1, string? subject = null,
        string? messageId = null, DateTimeOffset? timestamp = null)
    {
        var envelope = new Envelope("Notification", messageId ?? Guid.NewGuid().ToString(), topicArn, message, Stamp(timestamp))
        {
            Subject = subject,
            UnsubscribeUrl = "https://sns." + Region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + topicArn + ":" + Guid.NewGuid(),
        };
        return Sign(envelope, signatureVersion);
    }

    /// <summary>
    /// A SubscriptionConfirmation whose SubscribeURL is <paramref name="subscribeUrl"/> (the Lab's own endpoint, which
    /// answers the GET as SNS's ConfirmSubscription does).
    /// </summary>
    public string SignSubscriptionConfirmation(string topicArn, string subscribeUrl, string token, int signatureVersion = 1,
        string? messageId = null, DateTimeOffset? timestamp = null)
    {
        var text = "You have chosen to subscribe to the topic " + topicArn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
        var envelope = new Envelope("SubscriptionConfirmation", messageId ?? Guid.NewGuid().ToString(), topicArn, text, Stamp(timestamp))
        {
            SubscribeUrl = subscribeUrl,
            Token = token,
        };
        return Sign(envelope, signatureVersion);
    }

    public string SignUnsubscribeConfirmation(string topicArn, string subscribeUrl, string token, int signatureVersion = 1)
    {
        var text = "You have chosen to deactivate subscription " + topicArn + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.";
        var envelope = new Envelope("UnsubscribeConfirmation", Guid.NewGuid().ToString(), topicArn, text, Stamp(null))
        {
            SubscribeUrl = subscribeUrl,
            Token = token,
        };
        return Sign(envelope, signatureVersion);
    }

    /// <summary>The headers SNS sends with an envelope (section 3.2), for WebhookData-shaped tests.</summary>
    public static Dictionary<string, string> HeadersFor(string envelopeJson)
    {
        using var document = JsonDocument.Parse(envelopeJson);
        var root = document.RootElement;
        var topic = root.GetProperty("TopicArn").GetString()!;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["x-amz-sns-message-type"] = root.GetProperty("Type").GetString()!,
            ["x-amz-sns-message-id"] = root.GetProperty("MessageId").GetString()!,
            ["x-amz-sns-topic-arn"] = topic,
            ["Content-Type"] = "text/plain; charset=UTF-8",
            ["User-Agent"] = "Amazon Simple Notification Service Agent",
        };
        if (root.GetProperty("Type").GetString() == "Notification") headers["x-amz-sns-subscription-arn"] = topic + ":" + Guid.NewGuid();
        return headers;
    }

    public void Dispose()
    {
        _leaf.Dispose();
        _authority.Dispose();
        _leafKey.Dispose();
    }

    private static string Stamp(DateTimeOffset? timestamp) =>
        (timestamp ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private string Sign(Envelope envelope, int signatureVersion)
    {
        var hash = signatureVersion switch
        {
            1 => HashAlgorithmName.SHA1,
            2 => HashAlgorithmName.SHA256,
            _ => throw new ArgumentOutOfRangeException(nameof(signatureVersion), "SNS signs with version 1 (SHA1) or 2 (SHA256)."),
        };
        var signature = Convert.ToBase64String(_leafKey.SignData(Encoding.UTF8.GetBytes(envelope.StringToSign()), hash, RSASignaturePadding.Pkcs1));
        return envelope.ToJson(signatureVersion.ToString(CultureInfo.InvariantCulture), signature, SigningCertUrl);
    }

    /// <summary>The signed fields, kept apart from the serialisation so what is signed and what is sent cannot drift.</summary>
    private sealed class Envelope(string type, string messageId, string topicArn, string message, string timestamp)
    {
        public string? Subject { get; init; }
        public string? SubscribeUrl { get; init; }
        public string? Token { get; init; }
        public string? UnsubscribeUrl { get; init; }

        /// <summary>SNS's documented order: the keys sorted, each "Name\nValue\n"; Subject only in notifications.</summary>
        public string StringToSign()
        {
            var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["Message"] = message,
                ["MessageId"] = messageId,
                ["Timestamp"] = timestamp,
                ["TopicArn"] = topicArn,
                ["Type"] = type,
            };
            if (type == "Notification")
            {
                if (Subject != null) signed["Subject"] = Subject;
            }
            else
            {
                signed["SubscribeURL"] = SubscribeUrl!;
                signed["Token"] = Token!;
            }
            var text = new StringBuilder();
            foreach (var (name, value) in signed) text.Append(name).Append('\n').Append(value).Append('\n');
            return text.ToString();
        }

        /// <summary>In the field order SNS posts (docs examples); the verifier must not depend on it.</summary>
        public string ToJson(string signatureVersion, string signature, string signingCertUrl)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("Type", type);
                json.WriteString("MessageId", messageId);
                if (Token != null) json.WriteString("Token", Token);
                json.WriteString("TopicArn", topicArn);
                if (Subject != null) json.WriteString("Subject", Subject);
                json.WriteString("Message", message);
                if (SubscribeUrl != null) json.WriteString("SubscribeURL", SubscribeUrl);
                json.WriteString("Timestamp", timestamp);
                json.WriteString("SignatureVersion", signatureVersion);
                json.WriteString("Signature", signature);
                json.WriteString("SigningCertURL", signingCertUrl);
                if (UnsubscribeUrl != null) json.WriteString("UnsubscribeURL", UnsubscribeUrl);
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }
}
