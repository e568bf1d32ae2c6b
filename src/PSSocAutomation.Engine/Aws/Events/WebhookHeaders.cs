using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json;

namespace PSSocAutomation.Aws.Events
{
    /// <summary>
    /// The request headers of a webhook call, by name without regard to case (HTTP names are case-insensitive, and Azure
    /// Automation's RequestHeader keeps whatever case the sender used). A header given several values keeps the first of a
    /// list; one name given twice in different case (two keys of a hashtable) is combined as HTTP combines a repeated
    /// header, "a, b", so the result never depends on the order a hashtable enumerates in, and a value that disagrees with
    /// itself matches nothing it is checked against.
    /// </summary>
    internal sealed class WebhookHeaders
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

        public static WebhookHeaders From(IDictionary? headers)
        {
            var result = new WebhookHeaders();
            if (headers is null) return result;
            foreach (DictionaryEntry entry in headers)
            {
                if (entry.Key is null) continue;
                result.Add(entry.Key.ToString()!, Value(entry.Value));
            }
            return result;
        }

        /// <summary>RequestHeader as WebhookData serialised to JSON carries it (an object of strings).</summary>
        public static WebhookHeaders From(JsonElement headers)
        {
            var result = new WebhookHeaders();
            if (headers.ValueKind != JsonValueKind.Object) return result;
            foreach (var property in headers.EnumerateObject())
                result.Add(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText());
            return result;
        }

        public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

        /// <summary>Any x-amz-sns-* header, or SNS's User-Agent: the sender says it is SNS.</summary>
        public bool ClaimsSns
        {
            get
            {
                foreach (var name in _values.Keys)
                    if (name.StartsWith("x-amz-sns-", StringComparison.OrdinalIgnoreCase)) return true;
                return this["User-Agent"]?.IndexOf("Amazon Simple Notification Service", StringComparison.OrdinalIgnoreCase) >= 0;
            }
        }

        public bool IsRawDelivery => string.Equals(this["x-amz-sns-rawdelivery"]?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

        public bool IsApiDestination => this["User-Agent"]?.StartsWith("Amazon/EventBridge/ApiDestinations", StringComparison.OrdinalIgnoreCase) == true;

        private void Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(name) || value is null) return;
            if (!_values.TryGetValue(name, out var existing)) _values[name] = value;
            else if (!string.Equals(existing, value, StringComparison.Ordinal))
                _values[name] = string.CompareOrdinal(existing, value) < 0 ? existing + ", " + value : value + ", " + existing;
        }

        private static string? Value(object? value) => value switch
        {
            null => null,
            string text => text,
            IEnumerable many => First(many),
            _ => value.ToString(),
        };

        private static string? First(IEnumerable values)
        {
            foreach (var value in values) return value?.ToString();
            return null;
        }
    }
}
