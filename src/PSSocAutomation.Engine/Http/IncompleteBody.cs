using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Http
{
    /// <summary>
    /// A body that did not arrive whole: the connection closed before its Content-Length (or its last chunk), or the
    /// response was complete but its JSON ends early. Thrown per attempt, so the pipeline sends a request that is safe
    /// to repeat again (an IOException, as any other body that broke off); it counts the bytes that did arrive, so the
    /// failure never says "0 bytes" when thousands came.
    /// </summary>
    internal sealed class IncompleteBodyException : IOException
    {
        public IncompleteBodyException(int status, long received, long? announced, Exception inner)
            : base(Describe(status, received, announced, inner), inner)
        {
            Status = status;
            Received = received;
            Announced = announced;
        }

        public int Status { get; }
        /// <summary>Bytes of the body that arrived (after decompression, when the server compressed it).</summary>
        public long Received { get; }
        /// <summary>The Content-Length the server announced, when it did.</summary>
        public long? Announced { get; }
        /// <summary>The HTTP response ended where the server said, but the JSON in it did not.</summary>
        public bool JsonCutShort => InnerException is JsonException;

        /// <summary>"58,906 of 117,812 bytes", or "58,906 bytes" when no length was announced.</summary>
        public string Bytes => BytesOf(Received, Announced);

        private static string BytesOf(long received, long? announced) =>
            Count(received) + (announced is long n ? " of " + Count(n) : string.Empty) + " bytes";

        private static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

        private static string Describe(int status, long received, long? announced, Exception inner)
        {
            var bytes = BytesOf(received, announced);
            return inner is JsonException
                ? $"HTTP {status} and a body that is not valid JSON ({bytes}; it may have been cut short)"
                : $"HTTP {status}, but the connection closed after {bytes} of the body";
        }
    }

    /// <summary>A response stream that counts what was read from it, for <see cref="IncompleteBodyException"/>.</summary>
    internal sealed class CountingReadStream : Stream
    {
        private readonly Stream _inner;

        public CountingReadStream(Stream inner) => _inner = inner;

        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Counted(_inner.Read(buffer, offset, count));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false));

#if !NETSTANDARD2_0
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
#endif

        private int Counted(int read)
        {
            BytesRead += read;
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
