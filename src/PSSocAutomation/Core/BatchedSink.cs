using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// The machinery of every cmdlet that writes piped alerts somewhere (New-IrisCase, New-IrisAlert; next Jira issues,
    /// Slack messages, the Elastic audit log): each input is prepared on the pipeline thread and asked ShouldProcess,
    /// then sent with at most -ThrottleLimit in flight; results and errors come out in input order, and a summary is
    /// written at the end (Verbose: "New-IrisCase: 3 created, 2 already existed, 0 failed, of 5.").
    /// </summary>
    /// <remarks>
    /// <para>
    /// It is a part a cmdlet owns rather than a base class it derives from: a sink already derives from its service's
    /// base (IrisCommandBase: the connection, the name look-ups), and C# gives it one base only.
    /// </para>
    /// <para>How to use it, with <typeparamref name="TItem"/> the prepared input and <typeparamref name="TResult"/> what the service returned:</para>
    /// <list type="number">
    /// <item><description>
    /// In Begin (after resolving the parameters that hold for every input): <c>_sink = new BatchedSink&lt;IrisCaseCreate,
    /// IrisCase&gt;(this, "New-IrisCase", "cases", ThrottleLimit, ErrorPrefix, SendAsync, new[] { "created", "already existed" },
    /// c =&gt; c.Existing ? 1 : 0)</c>. <c>SendAsync(item, ct)</c> runs on a pool thread: no PowerShell objects, no
    /// Write*, only the engine; what the engine logs reaches the cmdlet's Verbose stream.
    /// </description></item>
    /// <item><description>
    /// In ProcessRecord: read the input (<see cref="AlertInput"/>) and the bound parameters into a
    /// <typeparamref name="TItem"/>, validate it, then <c>_sink.Offer(item, target, action)</c>, which asks ShouldProcess
    /// (-WhatIf, -Confirm) and queues it. An input that cannot become a request is <c>_sink.Reject(errorRecord)</c>: its
    /// error is written in its place among the results.
    /// </description></item>
    /// <item><description>In EndProcessing: <c>_sink.Complete()</c> sends what is left, ends the progress bar and writes the summary.</description></item>
    /// </list>
    /// <para>
    /// Inputs are sent in windows of 8 x ThrottleLimit (one at a time when it is 1), so memory stays flat on a long
    /// pipeline while the service is kept busy. A failed send is a non-terminating error with the cmdlet's ErrorId
    /// prefix (ErrorRecords.From); Ctrl+C stops every send at once.
    /// </para>
    /// </remarks>
    internal sealed class BatchedSink<TItem, TResult> where TResult : class
    {
        private sealed class Entry
        {
            public Entry(TItem item, string target) { Item = item; Target = target; }
            public Entry(ErrorRecord rejected) { Rejected = rejected; Target = string.Empty; }
            public TItem Item { get; } = default!;
            public string Target { get; }
            /// <summary>An input that failed before any request, written in its place.</summary>
            public ErrorRecord? Rejected { get; }
        }

        private readonly SocCmdlet _cmdlet;
        private readonly string _name;
        private readonly string _noun;
        private readonly int _throttle;
        private readonly string _errorIdPrefix;
        private readonly Func<TItem, CancellationToken, Task<TResult>> _send;
        private readonly IReadOnlyList<string> _outcomes;
        private readonly Func<TResult, int> _outcomeOf;
        private readonly Func<TResult, Exception?>? _problemOf;
        private readonly string? _problemErrorId;
        private readonly long[] _counts;
        private readonly List<Entry> _queue = new List<Entry>();
        private readonly ProgressReporter _progress;
        private long _received, _done, _failed;

        /// <param name="cmdlet">The sink cmdlet (its Write*, ShouldProcess and stop token).</param>
        /// <param name="name">The cmdlet's name, for the summary and the progress bar.</param>
        /// <param name="noun">What it makes, plural, for the progress bar ("cases").</param>
        /// <param name="throttle">At most this many sends at once (-ThrottleLimit).</param>
        /// <param name="errorIdPrefix">The first word of the ErrorIds of failed sends ("Iris").</param>
        /// <param name="send">Sends one prepared item; runs on a pool thread.</param>
        /// <param name="outcomes">The kinds of success the summary counts, in its order ("created", "already existed").</param>
        /// <param name="outcomeOf">Which of <paramref name="outcomes"/> a result is (its index).</param>
        /// <param name="problemOf">
        /// What a result that came out only partly done could not do (an object created whose follow-up update failed):
        /// the result is written, then this as an error with <paramref name="problemErrorId"/>, so the object is never lost
        /// and the failure never hidden.
        /// </param>
        /// <param name="problemErrorId">The ErrorId of those errors ("IrisCaseIncomplete").</param>
        public BatchedSink(SocCmdlet cmdlet, string name, string noun, int throttle, string errorIdPrefix,
            Func<TItem, CancellationToken, Task<TResult>> send, IReadOnlyList<string> outcomes, Func<TResult, int> outcomeOf,
            Func<TResult, Exception?>? problemOf = null, string? problemErrorId = null)
        {
            _problemOf = problemOf;
            _problemErrorId = problemErrorId;
            _cmdlet = cmdlet;
            _name = name;
            _noun = noun;
            _throttle = Math.Max(1, throttle);
            _errorIdPrefix = errorIdPrefix;
            _send = send;
            _outcomes = outcomes;
            _outcomeOf = outcomeOf;
            _counts = new long[outcomes.Count];
            // One progress activity per cmdlet name (a stable hash: string.GetHashCode differs per process), so two sinks
            // in one pipeline each keep their own bar.
            _progress = new ProgressReporter(cmdlet, name.Aggregate(0x1200, (hash, c) => (hash * 31 + c) & 0x7FFF), name);
        }

        private int Window => _throttle == 1 ? 1 : _throttle * 8;

        /// <summary>Ask ShouldProcess for the item and queue it; false when the user declined (or -WhatIf).</summary>
        public bool Offer(TItem item, string target, string action)
        {
            _received++;
            if (!_cmdlet.ShouldProcess(target, action)) return false;
            _queue.Add(new Entry(item, target));
            if (_queue.Count >= Window) Flush();
            return true;
        }

        /// <summary>An input that cannot be sent: its error comes out after the results of the inputs before it.</summary>
        public void Reject(ErrorRecord error)
        {
            _received++;
            if (_queue.Count == 0)
            {
                _failed++;
                _cmdlet.WriteError(error);
            }
            else _queue.Add(new Entry(error));
        }

        /// <summary>Send what is queued, end the progress bar, and write the summary (when there was more than one input).</summary>
        public void Complete()
        {
            Flush();
            _progress.Complete();
            if (_received <= 1) return;
            // The first two outcomes always (the common case reads the same every run), the rarer ones when they happened.
            var parts = _outcomes.Select((outcome, i) => (outcome, i)).Where(o => o.i < 2 || _counts[o.i] > 0)
                .Select(o => _counts[o.i] + " " + o.outcome).Concat(new[] { _failed + " failed" });
            _cmdlet.WriteVerbose($"{_name}: {string.Join(", ", parts)}, of {_received}.");
        }

        private void Flush()
        {
            if (_queue.Count == 0) return;
            var batch = _queue.ToArray();
            _queue.Clear();
            foreach (var (entry, result, error) in SendAll(batch))
            {
                _done++;
                if (entry.Rejected != null)
                {
                    _failed++;
                    _cmdlet.WriteError(entry.Rejected);
                }
                else if (result != null)
                {
                    var outcome = _outcomeOf(result);
                    if (outcome >= 0 && outcome < _counts.Length) _counts[outcome]++;
                    _cmdlet.WriteObject(result);
                    if (_problemOf?.Invoke(result) is Exception problem) _cmdlet.WriteError(ErrorRecords.From(problem, _errorIdPrefix, result, _problemErrorId));
                }
                else
                {
                    _failed++;
                    if (error is PipelineStoppedException) throw error;
                    _cmdlet.WriteError(ErrorRecords.From(error!, _errorIdPrefix, entry.Target));
                }
            }
            _progress.Report($"{_done} of {_received} {_noun}", _done);
        }

        /// <summary>Every entry's outcome in input order, at most <see cref="_throttle"/> sends at a time.</summary>
        private IReadOnlyList<(Entry Entry, TResult? Result, Exception? Error)> SendAll(IReadOnlyList<Entry> entries)
        {
            var send = _send;
            var throttle = _throttle;
            return _cmdlet.Run(async ct =>
            {
                using var gate = new SemaphoreSlim(throttle);
                var tasks = entries.Select(async entry =>
                {
                    if (entry.Rejected != null) return (entry, (TResult?)null, (Exception?)null);
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        var result = await send(entry.Item, ct).ConfigureAwait(false)
                            ?? throw new InvalidOperationException("The service returned nothing for " + entry.Target + ".");
                        return (entry, (TResult?)result, (Exception?)null);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (Exception ex)
                    {
                        return (entry, (TResult?)null, ex);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }).ToList();
                return (IReadOnlyList<(Entry, TResult?, Exception?)>)await Task.WhenAll(tasks).ConfigureAwait(false);
            });
        }
    }
}

namespace PSSocAutomation.Core
{
    /// <summary>The summary's words for a keyed sink's outcomes, in <see cref="SinkOutcome"/> order.</summary>
    internal static class KeyedOutcomes
    {
        public static readonly IReadOnlyList<string> Names = new[] { "created", "already existed", "updated", "adopted", "incomplete" };

        public static int Of(SinkOutcome? outcome) => (int)(outcome ?? SinkOutcome.Created);
    }
}
