using System.Collections.Generic;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// What only one kind of source has about an alert (Elasticsearch's index and _id; later Security Hub's product
    /// ARN, account and region), kept beside the common core of <see cref="SocAlert"/> so that core stays the same for
    /// every source and nothing the source said is lost. Each source derives its own class with typed properties (what
    /// PowerShell shows), and lists them by name here for code that handles any source (a case description, the audit log).
    /// </summary>
    public abstract class AlertSourceFields
    {
        /// <summary>Every field with a value, by name, in the order a reader would want them.</summary>
        public abstract IEnumerable<KeyValuePair<string, object?>> Fields { get; }

        /// <summary>A field by name (case-insensitive), or null.</summary>
        public object? Get(string name)
        {
            foreach (var field in Fields)
                if (string.Equals(field.Key, name, System.StringComparison.OrdinalIgnoreCase)) return field.Value;
            return null;
        }
    }
}
