using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// An -Index as Elasticsearch reads it: names, aliases or patterns separated by commas, none of them blank. A blank
    /// one is refused while the parameter binds, so PowerShell names -Index: ' ' went into the path and came back as
    /// HTTP 405 from _pit, and ',' named no index and matched nothing, silently.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateIndexNameAttribute : ValidateArgumentsAttribute
    {
        /// <summary>A write target: one index, alias or data stream, no list or pattern (_bulk into 'a,b' writes nowhere).</summary>
        public bool Single { get; set; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = Convert.ToString(arguments, CultureInfo.InvariantCulture) ?? string.Empty;
            if (Single && (text.IndexOf(',') >= 0 || text.IndexOf('*') >= 0))
                throw new ValidationMetadataException(
                    $"'{text}' names {(text.IndexOf(',') >= 0 ? "several indices" : "a pattern")}; documents are written to one index, alias or data stream. Give one name, such as 'soc-audit'.");
            if (text.Split(',').Any(name => name.Trim().Length == 0))
                throw new ValidationMetadataException(
                    $"'{text}' has an empty index name{(text.Contains(',') ? " between or around its commas" : string.Empty)}. Give an index, alias, data stream or pattern such as 'alerts-*', or several separated by commas.");
        }
    }
}
