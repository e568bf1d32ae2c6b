using System.Collections.Generic;
using System.Threading.Tasks;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using PSSocAutomation.Elastic;

namespace PSSocAutomation.ElasticSecurity
{
    /// <summary>
    /// Reads the detection alerts of a space, page by page. Kibana's signals/search answers one page only (before 8.15 it
    /// refuses from and search_after, from 8.15 it drops them and answers the same page again), so: a read that fits in
    /// one page is that one Kibana request; a longer one goes on after the last hit of that page through the alerts index
    /// in Elasticsearch, with a point in time and search_after on the same sort. Without Kibana, everything comes from
    /// the alerts index. Both give the same hits, in the same order.
    /// </summary>
    public sealed class SecurityAlertReader
    {
        /// <summary>The most Kibana (and Elasticsearch) returns in one page.</summary>
        public const int MaxPage = 10_000;

        private readonly ElasticClient _elastic;
        private readonly KibanaClient? _kibana;

        public SecurityAlertReader(ElasticClient elastic, KibanaClient? kibana)
        {
            _elastic = elastic;
            _kibana = kibana;
        }

        /// <summary>Pages read through Kibana, then through the alerts index (for Verbose: which route served the read).</summary>
        public int KibanaPages { get; private set; }
        public int IndexPages { get; private set; }

        /// <param name="space">The Kibana space (its alerts index is .alerts-security.alerts-&lt;space&gt;).</param>
        /// <param name="query">The filters and sort.</param>
        /// <param name="pageSize">Hits per request.</param>
        /// <param name="limit">Stop after this many (-First); null for all.</param>
        /// <param name="keepAlive">The point in time's keep-alive when paging the alerts index.</param>
        /// <param name="cancellationToken">Stops the read; a point in time is still closed.</param>
        public async IAsyncEnumerable<SearchPage> ReadAsync(string space, SecurityAlertQuery query, int pageSize, long? limit, string keepAlive,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            JsonElement? after = null;
            if (_kibana != null)
            {
                // -First that fits one page is asked for whole; otherwise a page of -PageSize and the total, to know whether more follow.
                var size = limit is long wanted && wanted <= MaxPage ? (int)wanted : pageSize;
                var body = Encoding.UTF8.GetBytes(query.BuildKibanaBody(size).ToJsonString());
                using (var doc = await _kibana.SearchAsync(space, body, cancellationToken).ConfigureAwait(false))
                {
                    var hits = doc.RootElement.GetProperty("hits");
                    var list = hits.GetProperty("hits");
                    var count = list.GetArrayLength();
                    KibanaPages++;
                    if (count > 0) yield return new SearchPage(list, 1);
                    var total = hits.TryGetProperty("total", out var t) && t.ValueKind == JsonValueKind.Object && t.TryGetProperty("value", out var v) ? v.GetInt64() : count;
                    if (count < size || total <= count || limit is long max && count >= max) yield break;
                    after = list[count - 1].GetProperty("sort").Clone();
                    if (limit != null) limit -= count;
                }
            }
            await foreach (var page in _elastic.StreamAsync(KibanaClient.AlertsIndex(space), query.BuildSearchBody(), pageSize, limit, keepAlive, cancellationToken, after).ConfigureAwait(false))
            {
                IndexPages++;
                yield return page;
            }
        }
    }
}
