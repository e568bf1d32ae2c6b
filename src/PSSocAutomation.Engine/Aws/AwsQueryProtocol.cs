using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using PSSocAutomation.Http;

namespace PSSocAutomation.Aws
{
    /// <summary>
    /// AWS's Query protocol (STS, IAM, Auto Scaling, ELBv2 and, in its own dialect, EC2): a form-encoded POST of
    /// Action, Version and the parameters, answered with XML in the service's namespace. One sender and one reader for
    /// all of them; errors go through <see cref="AwsErrors"/> like any other.
    /// </summary>
    public static class AwsQueryProtocol
    {
        public const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

        /// <summary>The form body: Action and Version first, then the parameters (lists as Name.member.N, as the service wants).</summary>
        public static byte[] Body(string action, string version, IEnumerable<KeyValuePair<string, string>>? parameters = null)
        {
            var sb = new StringBuilder("Action=").Append(AwsSigV4.Encode(action, false)).Append("&Version=").Append(AwsSigV4.Encode(version, false));
            foreach (var p in parameters ?? Enumerable.Empty<KeyValuePair<string, string>>())
                sb.Append('&').Append(AwsSigV4.Encode(p.Key, false)).Append('=').Append(AwsSigV4.Encode(p.Value, false));
            return Encoding.UTF8.GetBytes(sb.ToString());
        }

        /// <summary>
        /// One call. <paramref name="idempotent"/>: whether sending it twice is harmless (reads, and writes that set a
        /// state), so the pipeline may retry it after a dropped answer.
        /// </summary>
        public static async Task<XElement> CallAsync(HttpPipeline pipeline, string action, string version, IEnumerable<KeyValuePair<string, string>>? parameters,
            bool idempotent, CancellationToken cancellationToken, bool authenticate = true)
        {
            var request = new ApiRequest(HttpMethod.Post, string.Empty)
            {
                Body = Body(action, version, parameters),
                ContentType = FormContentType,
                Idempotent = idempotent,
                Authenticate = authenticate,
                Description = action,
            };
            var response = await pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var xml = response.ParseXml();
            return xml.Root ?? throw new SocApiException(ApiFailureKind.Protocol, pipeline.ServiceName, $"{pipeline.ServiceName} answered {action} with an empty XML document.") { Url = response.Url };
        }

        /// <summary>
        /// Every item of a paged Query list, through the one <see cref="Pager{TPage, TCursor}"/>: each service names its
        /// cursor its own way (EC2 NextToken/nextToken, ELBv2 Marker/NextMarker, IAM Marker with IsTruncated), so the
        /// caller says where the cursor goes (<paramref name="cursorParameter"/>), where the next one is
        /// (<paramref name="nextCursor"/>, null on the last page) and where the items are. A cursor handed out twice
        /// would page forever: it stops with a Protocol error instead.
        /// </summary>
        public static async Task<IReadOnlyList<XElement>> ReadAllAsync(HttpPipeline pipeline, string action, string version, IEnumerable<KeyValuePair<string, string>> parameters,
            string cursorParameter, Func<XElement, string?> nextCursor, Func<XElement, IEnumerable<XElement>> items, CancellationToken cancellationToken)
        {
            var fixedParameters = parameters.ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pager = new Pager<List<XElement>, string?>(async (cursor, number, ct) =>
            {
                var page = cursor is null ? fixedParameters : fixedParameters.Concat(new[] { Param(cursorParameter, cursor) });
                var root = await CallAsync(pipeline, action, version, page, idempotent: true, ct).ConfigureAwait(false);
                var found = items(root).ToList();
                var next = nextCursor(root);
                if (string.IsNullOrEmpty(next)) return FetchedPage<List<XElement>, string?>.Last(found);
                if (!seen.Add(next!))
                    throw new SocApiException(ApiFailureKind.Protocol, pipeline.ServiceName, $"{pipeline.ServiceName} answered {action} with a {cursorParameter} it had already given (page {number}); stopped rather than read the same page forever.") { Page = number };
                return FetchedPage<List<XElement>, string?>.WithNext(found, next);
            });
            var all = new List<XElement>();
            await foreach (var page in pager.ReadAsync(null, cancellationToken).ConfigureAwait(false)) all.AddRange(page);
            return all;
        }

        /// <summary>One form parameter.</summary>
        public static KeyValuePair<string, string> Param(string name, string value) => new KeyValuePair<string, string>(name, value);

        /// <summary>The first descendant named <paramref name="name"/> in any namespace (each service has its own).</summary>
        public static XElement? Find(XElement root, string name) => root.Descendants().FirstOrDefault(e => e.Name.LocalName == name);

        public static string? Text(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

        /// <summary>The items of a Query list (&lt;member&gt; children) or an EC2 list (&lt;item&gt; children).</summary>
        public static IEnumerable<XElement> Items(XElement? list) =>
            list?.Elements().Where(e => e.Name.LocalName == "member" || e.Name.LocalName == "item") ?? Enumerable.Empty<XElement>();
    }
}
