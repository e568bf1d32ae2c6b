using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PSSocAutomation.Http;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// A lock shared by every process of this user on this machine, around a keyed sink's check-then-create: two
    /// scheduled runs that overlap (a slow run and the next tick) cannot both see "no case yet" and both create one.
    /// </summary>
    /// <remarks>
    /// <para>
    /// It is an exclusively opened file (FileShare.None): Windows enforces the share mode, and .NET on Linux and macOS
    /// takes an flock on it. The operating system releases it when the process dies, so a killed run never leaves the
    /// next one waiting. It needs no thread affinity (a Mutex must be released by the thread that took it, which an
    /// async create cannot promise).
    /// </para>
    /// <para>
    /// Keys are hashed onto a fixed set of stripe files per service URL and key space, so files are never deleted (a
    /// deleted lock file lets two processes each lock a different inode) and never pile up. Two keys on one stripe only
    /// wait for each other.
    /// </para>
    /// <para>
    /// What it does not cover: runs on two machines (or as two users, or in two containers with their own /tmp), and a
    /// .NET started with DOTNET_SYSTEM_IO_DISABLEFILELOCKING. There the module's look-before-create and its look again
    /// after an ambiguous failure still hold, but two creates at the same instant can both pass the look.
    /// </para>
    /// </remarks>
    public sealed class MachineKeyLock : IDisposable
    {
        /// <summary>Stripe files per service and key space.</summary>
        public const int Stripes = 64;

        private FileStream? _file;

        private MachineKeyLock(FileStream file) => _file = file;

        /// <summary>Where the lock files live: PSSOC_LOCK_DIRECTORY, else the user's local application data.</summary>
        public static string Directory
        {
            get
            {
                var configured = Environment.GetEnvironmentVariable("PSSOC_LOCK_DIRECTORY");
                if (!string.IsNullOrEmpty(configured)) return configured!;
                var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
                if (string.IsNullOrEmpty(local)) local = Path.GetTempPath();
                return Path.Combine(local, "PSSocAutomation", "locks");
            }
        }

        /// <summary>The stripe file for a key: one name per service URL, key space and stripe.</summary>
        public static string PathFor(Uri service, string keySpace, string key)
        {
            var scope = ShortHash(service.GetLeftPart(UriPartial.Path).ToLowerInvariant() + "\n" + keySpace);
            var stripe = Stripe(key);
            return Path.Combine(Directory, keySpace + "-" + scope + "-" + stripe.ToString("D2", CultureInfo.InvariantCulture) + ".lock");
        }

        // Stable across processes and runtimes (string.GetHashCode is randomized per process).
        private static byte[] Sha256(string text)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        }

        private static int Stripe(string key) => (int)(BitConverter.ToUInt32(Sha256(key), 0) % Stripes);

        private static string ShortHash(string text)
        {
            var hash = Sha256(text);
            var sb = new StringBuilder(16);
            for (var i = 0; i < 8; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>
        /// Waits (polling, with the caller's token) until this process holds the key's stripe, at most <paramref name="timeout"/>;
        /// then a <see cref="TimeoutException"/> that names what holds it up. <paramref name="what"/> is what the holder is doing ("creating the DFIR-IRIS case for SOC id ...").
        /// </summary>
        public static async Task<MachineKeyLock> AcquireAsync(Uri service, string keySpace, string key, string what, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            var path = PathFor(service, keySpace, key);
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var started = time.GetTimestamp();
            var delay = TimeSpan.FromMilliseconds(20);
            var told = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    return new MachineKeyLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
                }
                catch (IOException) when (!(time.GetElapsedTime(started) > timeout))
                {
                    // Held by another run (or another create in this one on the same stripe).
                }
                catch (IOException ex)
                {
                    throw new TimeoutException($"Another run on this machine has been {what} for {timeout.TotalSeconds:0} s and still holds its lock ({path}). Wait for it to finish, or stop it.", ex);
                }
                if (!told && time.GetElapsedTime(started) > TimeSpan.FromSeconds(1))
                {
                    told = true;
                    RequestLog.Verbose($"Waiting for another run on this machine that is {what} (lock {path}).");
                }
                await Waits.Sleep(time, delay, cancellationToken).ConfigureAwait(false);
                if (delay < TimeSpan.FromMilliseconds(200)) delay = TimeSpan.FromTicks(delay.Ticks * 2);
            }
        }

        public void Dispose()
        {
            Interlocked.Exchange(ref _file, null)?.Dispose();
        }
    }
}
