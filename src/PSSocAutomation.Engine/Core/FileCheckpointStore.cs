using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Checkpoints as files, one per key, under a folder: the default <see cref="ICheckpointStore"/> for scheduled
    /// tasks and interactive sessions.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A write never leaves a torn checkpoint: the new value goes to a temporary file in the same folder, is flushed to
    /// disk, and then renamed over the old file (a rename within a folder is atomic on NTFS, ext4, APFS). A crash
    /// before the rename leaves the old checkpoint and a stray temporary file, which the next write removes; a reader
    /// sees the old or the new file, never part of one.
    /// </para>
    /// <para>
    /// Two processes (two scheduled runs that overlap, a run and an analyst) never write one key at once: a writer
    /// holds the key's lock file open with FileShare.None while it writes, and a second writer retries until
    /// <see cref="LockTimeout"/>. Lock files are left in place: deleting one while another process waits on it would
    /// let two writers hold "the" lock at once.
    /// </para>
    /// <para>
    /// File names: the key made safe for every file system (letters, digits, '-', '_' and '.'; lowercase, at most 60
    /// characters) plus a hash of the exact key, so "Alerts" and "alerts" stay apart on Windows, and a key such as
    /// "elastic:logs-*" is readable in a directory listing. The file holds {"key", "value", "savedAt"}.
    /// </para>
    /// </remarks>
    public sealed class FileCheckpointStore : ICheckpointStore
    {
        private const string Extension = ".checkpoint";
        private const string TempExtension = ".tmp";
        private const string LockExtension = ".lock";

        public FileCheckpointStore(string folder)
        {
            if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException("The checkpoint folder must be given.", nameof(folder));
            Folder = Path.GetFullPath(folder);
        }

        private FileCheckpointStore(string folder, string file) : this(folder)
        {
            SingleFile = file;
        }

        /// <summary>
        /// A store that is one file, whatever the key (a source's -Checkpoint given as a path): written the same way,
        /// and still refusing a key other than the one it was saved under, so two sources never share a watermark.
        /// </summary>
        public static FileCheckpointStore ForFile(string path)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The checkpoint file must be given.", nameof(path));
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full)) return new FileCheckpointStore(full);
            return new FileCheckpointStore(Path.GetDirectoryName(full)!, full);
        }

        /// <summary>The one file of a store made by <see cref="ForFile"/>; null for a folder of keys.</summary>
        public string? SingleFile { get; }

        /// <summary>A store in <see cref="DefaultFolder"/>.</summary>
        public FileCheckpointStore() : this(DefaultFolder)
        {
        }

        /// <summary>The user's local application data (…/PSSocAutomation/checkpoints): not roamed, not shared between users.</summary>
        public static string DefaultFolder =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "PSSocAutomation", "checkpoints");

        public string Folder { get; }

        /// <summary>How long a writer waits for another process's write of the same key (default 30 s).</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Called after the temporary file is written and before it is renamed: tests simulate a crash there.</summary>
        internal Action<string>? BeforeRename { get; set; }

        public Task<string?> GetAsync(string key, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = PathOf(key);
            byte[] bytes;
            try
            {
                // Share everything, Delete included, so a writer can rename over the file while it is being read.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                bytes = memory.ToArray();
            }
            catch (FileNotFoundException) { return Task.FromResult<string?>(null); }
            catch (DirectoryNotFoundException) { return Task.FromResult<string?>(null); }
            return Task.FromResult<string?>(Read(bytes, key, path));
        }

        public async Task SetAsync(string key, string value, CancellationToken cancellationToken)
        {
            if (value is null) throw new ArgumentNullException(nameof(value));
            var path = PathOf(key);
            Directory.CreateDirectory(Folder);
            using (await LockAsync(path, key, cancellationToken).ConfigureAwait(false))
            {
                RemoveStrayTemps(path);
                var temp = path + "." + Guid.NewGuid().ToString("N") + TempExtension;
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    var bytes = Write(key, value);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true); // on disk before the rename makes it the checkpoint
                }
                // A failure from here on (or a crash) leaves the temporary file; the next write removes it.
                BeforeRename?.Invoke(temp);
                Replace(temp, path);
            }
        }

        private static void Replace(string temp, string path)
        {
#if NETSTANDARD2_0
            // .NET Framework has no File.Move(overwrite); ReplaceFile swaps an existing file in one step.
            if (File.Exists(path)) File.Replace(temp, path, null, ignoreMetadataErrors: true);
            else File.Move(temp, path);
#else
            File.Move(temp, path, overwrite: true);
#endif
        }

        /// <summary>The key's lock file, held open with FileShare.None; retried (with a growing pause) until <see cref="LockTimeout"/>.</summary>
        private async Task<FileStream> LockAsync(string path, string key, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + LockTimeout;
            var pause = TimeSpan.FromMilliseconds(10);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    return new FileStream(path + LockExtension, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // Held by another writer (a sharing violation on Windows, a held flock on Unix): wait and retry.
                }
                catch (IOException ex)
                {
                    throw new IOException($"The checkpoint '{key}' is being written by another process ({path + LockExtension} stayed locked for {LockTimeout.TotalSeconds:0} s).", ex);
                }
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                if (pause < TimeSpan.FromMilliseconds(250)) pause = TimeSpan.FromTicks(pause.Ticks * 2);
            }
        }

        /// <summary>Temporary files of this key left by a write that never reached its rename (the lock holder is the only writer).</summary>
        private void RemoveStrayTemps(string path)
        {
            foreach (var stray in Directory.GetFiles(Folder, Path.GetFileName(path) + ".*" + TempExtension)) TryDelete(stray);
        }

        private static void TryDelete(string path)
        {
            try { File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        internal string PathOf(string key)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("A checkpoint needs a key.", nameof(key));
            if (SingleFile != null) return SingleFile;
            var safe = new StringBuilder();
            foreach (var c in key.ToLowerInvariant())
            {
                if (safe.Length >= 60) break;
                safe.Append(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' ? c : '_');
            }
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(key));
            var hex = new StringBuilder(16);
            for (var i = 0; i < 8; i++) hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return Path.Combine(Folder, safe.ToString().Trim('.') + "." + hex + Extension);
        }

        private static byte[] Write(string key, string value)
        {
            using var memory = new MemoryStream();
            using (var writer = new Utf8JsonWriter(memory, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("key", key);
                writer.WriteString("value", value);
                writer.WriteString("savedAt", DateTimeOffset.UtcNow);
                writer.WriteEndObject();
            }
            return memory.ToArray();
        }

        private static string Read(byte[] bytes, string key, string path)
        {
            try
            {
                using var doc = JsonDocument.Parse(bytes);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
                {
                    if (root.TryGetProperty("key", out var saved) && saved.ValueKind == JsonValueKind.String && !saved.ValueEquals(key))
                        throw new InvalidDataException($"The checkpoint file {path} belongs to the key '{saved.GetString()}', not '{key}'.");
                    return value.GetString()!;
                }
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The checkpoint file {path} is not a checkpoint ({ex.Message}); delete it to start the source from its beginning.", ex);
            }
            throw new InvalidDataException($"The checkpoint file {path} has no \"value\"; delete it to start the source from its beginning.");
        }
    }
}
