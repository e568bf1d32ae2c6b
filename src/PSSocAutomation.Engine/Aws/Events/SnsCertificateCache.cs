using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// Fetched SNS certificates by URL. SNS names one certificate per region and rotates it rarely, so a runbook that
    /// reads thousands of messages fetches it once; the bound keeps a stream of forged (but rule-passing) URLs from
    /// growing the process without limit. The oldest entry leaves first.
    /// </summary>
    public sealed class SnsCertificateCache
    {
        private readonly Dictionary<string, X509Certificate2> _entries = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public SnsCertificateCache(int capacity = 32)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), "The cache holds at least one certificate.");
            Capacity = capacity;
        }

        /// <summary>The one the HTTPS source uses unless given another: certificates live for the process.</summary>
        public static SnsCertificateCache Process { get; } = new();

        public int Capacity { get; }

        public int Count
        {
            get { lock (_entries) return _entries.Count; }
        }

        public bool TryGet(string url, out X509Certificate2 certificate)
        {
            lock (_entries) return _entries.TryGetValue(url, out certificate!);
        }

        public void Set(string url, X509Certificate2 certificate)
        {
            lock (_entries)
            {
                if (!_entries.ContainsKey(url))
                {
                    while (_entries.Count >= Capacity) _entries.Remove(_order.Dequeue());
                    _order.Enqueue(url);
                }
                _entries[url] = certificate;
            }
        }

        /// <summary>Forgets a certificate that no longer passes its checks (expired while cached), so the next use fetches anew.</summary>
        public void Remove(string url)
        {
            lock (_entries)
            {
                if (!_entries.Remove(url)) return;
                var kept = new Queue<string>();
                foreach (var key in _order) if (!string.Equals(key, url, StringComparison.Ordinal)) kept.Enqueue(key);
                _order.Clear();
                foreach (var key in kept) _order.Enqueue(key);
            }
        }
    }
}
