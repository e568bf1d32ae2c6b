using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Turns a stream of pages into a stream of converted pages, converting the next page on a pool thread while the
    /// caller works through this one. The pipeline thread then only writes objects; the second core maps them.
    /// </summary>
    public static class MapAhead
    {
        public static async IAsyncEnumerable<TOut> Pages<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> convert,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var enumerator = source.GetAsyncEnumerator(cancellationToken);
            // One task at a time touches the enumerator: the next starts only after the previous finished.
            Func<Task<(bool, TOut)>> step = async () =>
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false)) return (false, default!);
                return (true, convert(enumerator.Current));
            };
            Task<(bool HasItem, TOut Item)>? next = Task.Run(step, cancellationToken);
            try
            {
                while (true)
                {
                    var (hasItem, item) = await next.ConfigureAwait(false);
                    next = null;
                    if (!hasItem) yield break;
                    next = Task.Run(step, cancellationToken);
                    yield return item;
                }
            }
            finally
            {
                if (next != null)
                {
                    try { await next.ConfigureAwait(false); }
                    catch (Exception) { /* a page nobody will read; stopping early makes its failure moot */ }
                }
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
