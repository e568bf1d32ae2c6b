using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// A source's -Checkpoint for one run: the store and key, the lock that keeps a second run on the same checkpoint
    /// out, the watermark read at the start, and the save at the end, which happens only when the whole pipeline
    /// completed (see <see cref="PipelineOutcome"/>).
    /// </summary>
    internal sealed class SourceCheckpoint : IDisposable
    {
        private static readonly Uri LockSpace = new Uri("checkpoint://pssocautomation/");
        private readonly MachineKeyLock _lock;

        private SourceCheckpoint(ICheckpointStore store, string key, string where, MachineKeyLock held, WatermarkRun run)
        {
            Store = store;
            Key = key;
            Where = where;
            _lock = held;
            Run = run;
        }

        public ICheckpointStore Store { get; }
        public string Key { get; }
        /// <summary>How messages name it: the file, or the store and key.</summary>
        public string Where { get; }
        public WatermarkRun Run { get; }

        /// <summary>
        /// Takes the checkpoint for this run: waits up to <paramref name="lockTimeout"/> for another run holding it,
        /// then reads its watermark.
        /// </summary>
        /// <param name="checkpoint">A path (a file, or a folder of checkpoints) or an <see cref="ICheckpointStore"/>.</param>
        /// <param name="key">What the source reads ("Get-ElasticAlert alerts-*"); a store refuses a checkpoint saved under another.</param>
        /// <param name="overlap">How far before the watermark the run reads again.</param>
        /// <param name="lockTimeout">How long to wait for another run that holds the checkpoint.</param>
        /// <param name="cancellationToken">Stops the wait (Ctrl+C).</param>
        /// <exception cref="ArgumentException">-Checkpoint is neither.</exception>
        /// <exception cref="TimeoutException">Another run held it for the whole timeout.</exception>
        /// <exception cref="InvalidDataException">What is stored is not this source's watermark.</exception>
        public static async Task<SourceCheckpoint> OpenAsync(object checkpoint, string key, TimeSpan overlap, TimeSpan lockTimeout, CancellationToken cancellationToken)
        {
            ICheckpointStore store;
            string identity, where;
            switch (PipelineInput.Unwrap(checkpoint))
            {
                case ICheckpointStore given:
                    store = given;
                    identity = given.GetType().FullName + "\n" + key;
                    where = $"'{key}' in {given}";
                    break;
                case string path when path.Trim().Length > 0:
                    var file = FileCheckpointStore.ForFile(path);
                    store = file;
                    identity = (file.SingleFile ?? file.PathOf(key)).ToLowerInvariant();
                    where = file.SingleFile ?? file.PathOf(key);
                    break;
                default:
                    throw new ArgumentException("-Checkpoint takes a path (a file, or a folder that holds checkpoints) or a checkpoint store object (ICheckpointStore).");
            }
            var held = await MachineKeyLock.AcquireAsync(LockSpace, "checkpoint", identity, $"reading alerts for the checkpoint {where}", lockTimeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            try
            {
                var saved = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                return new SourceCheckpoint(store, key, where, held, new WatermarkRun(AlertWatermark.Parse(saved, where), overlap));
            }
            catch
            {
                held.Dispose();
                throw;
            }
        }

        /// <summary>Saves the run's watermark; call only when the pipeline completed.</summary>
        public void Commit() => Store.SetAsync(Key, Run.Next().ToJson(), CancellationToken.None).GetAwaiter().GetResult();

        public void Dispose() => _lock.Dispose();

        /// <summary>
        /// The end of the source's run, from its Dispose: saves the watermark if the whole pipeline completed and the
        /// source itself did not fail, and releases the lock either way. A save that fails is told on the host (the
        /// pipeline's streams are closed by then); the next run then starts from the old watermark, and loses nothing.
        /// </summary>
        public void Finish(PSCmdlet source, bool sourceFailed)
        {
            try
            {
                if (!sourceFailed && PipelineOutcome.Completed(source) == true) Commit();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                source.Host?.UI?.WriteWarningLine($"{source.MyInvocation.MyCommand?.Name}: could not save the checkpoint {Where} ({ex.Message}); the next run starts from the previous one.");
            }
            finally
            {
                Dispose();
            }
        }
    }
}
