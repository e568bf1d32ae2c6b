using System;
using System.Text.Json;
using PSSocAutomation.Http;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// Kibana's two error shapes: the platform's {"statusCode", "error", "message"} and Security Solution's
    /// {"status_code", "message"} (either can answer a detection-engine route); Elasticsearch failures Kibana passed
    /// through keep ES's status and message.
    /// </summary>
    internal sealed class KibanaErrors : IVendorErrors
    {
        public static readonly KibanaErrors Instance = new KibanaErrors();

        public string ServiceName => "Kibana";

        public (string? Type, string? Reason) Describe(int status, string? contentType, ReadOnlyMemory<byte> body)
        {
            if (!ResponseBody.TryParseJson(body, out var doc)) return (null, null);
            using (doc)
            {
                var root = doc!.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return (null, null);
                var error = Text(root, "error");
                var message = Text(root, "message");
                if (message is null && root.TryGetProperty("message", out var m) && m.ValueKind != JsonValueKind.Null) message = m.GetRawText();
                if (error is null && message is null) return (null, null);
                // The platform's "error" is the status text ("Bad Request"); the message says what was wrong.
                return (error, message);
            }
        }

        public string? Advice(ApiFailureKind kind, int? status, string? vendorType)
        {
            switch (kind)
            {
                case ApiFailureKind.Authentication:
                    return "Check the -Credential or -ApiKey given to Connect-Elastic: Kibana refused them (they are missing, wrong or expired, or the realm is not enabled for Kibana).";
                case ApiFailureKind.Permission:
                    return "The user lacks the Kibana Security privilege (securitySolution) or read/write on the space's alerts index; grant it, or use an account that has it.";
                case ApiFailureKind.Connection:
                case ApiFailureKind.Timeout:
                    return "Check the -KibanaUri given to Connect-Elastic (Kibana listens on 5601 by default) and that Kibana is running.";
                case ApiFailureKind.NotFound:
                    return "Check -KibanaUri (a Kibana behind a proxy may need its base path, such as https://host/kibana) and -Space.";
                default:
                    return null;
            }
        }

        /// <summary>A refusal for a missing kbn-xsrf header means something in between removed it: say so.</summary>
        public SocApiException Refine(SocApiException failure)
        {
            if (failure.StatusCode == 400 && failure.VendorReason != null && failure.VendorReason.IndexOf("kbn-xsrf", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                const string advice = "The module sends kbn-xsrf on every request; a proxy or gateway between it and Kibana removed the header. Let it through, or point -KibanaUri at Kibana itself.";
                var refined = failure.With(ApiFailureKind.Protocol, $"Kibana refused {failure.Method} {failure.Url}: {failure.VendorReason} {advice}");
                refined.RecommendedAction = advice;
                return refined;
            }
            return failure;
        }

        private static string? Text(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
