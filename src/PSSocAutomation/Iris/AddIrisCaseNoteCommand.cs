using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Adds a note to an IRIS case.</para>
    /// <para type="description">Adds a Markdown note to the case, in a note directory found by name and created when missing (IRIS 2.4; on 2.0-2.3 a note group of that name is created). The case is always named with ?cid=. A re-run adds nothing twice: on IRIS 2.4 a note whose title the directory already has is the note an earlier run added, and is returned with Existing set to True (-AllowDuplicate adds another); give distinct notes distinct titles. On 2.0-2.3 (note groups) every run adds a new group and note.</para>
    /// </summary>
    /// <example><code>$case | Add-IrisCaseNote -Title 'VirusTotal' -Content ($report | Out-String) -Directory 'Enrichment'</code><para>Writes an enrichment report as a note in the case's Enrichment directory (created when missing).</para></example>
    /// <example><code>Add-IrisCaseNote -CaseId 42 -Title 'Timeline' -Content "Isolated WS-0142 at $(Get-Date -Format o)"</code><para>Adds a note to case 42 in the default directory PSSocAutomation.</para></example>
    [Cmdlet(VerbsCommon.Add, "IrisCaseNote", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IrisNote))]
    public sealed class AddIrisCaseNoteCommand : IrisCommandBase
    {
        /// <summary>The case id (cid); bound from IrisCase objects.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("case_id", "cid")]
        public int CaseId { get; set; }

        /// <summary>The note title (1 to 155 characters).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [Alias("note_title")]
        [ValidateLength(1, 155)]
        public string Title { get; set; } = string.Empty;

        /// <summary>The note text (Markdown).</summary>
        [Parameter(Position = 1)]
        [Alias("note_content", "Text")]
        public string? Content { get; set; }

        /// <summary>The note directory to file it in, by name (default 'PSSocAutomation'); created when missing.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Directory { get; set; } = "PSSocAutomation";

        /// <summary>Add the note even when the directory already has a note with this title.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicate { get; set; }

        protected override void ProcessRecord()
        {
            if (!ShouldProcess($"DFIR-IRIS case {CaseId}", $"Add note '{Title}'")) return;
            try
            {
                WriteObject(Run(ct => Client.AddCaseNoteAsync(CaseId, Title, Content, Directory, ct, AllowDuplicate)));
            }
            catch (Exception ex) when (ex is SocApiException || ex is ArgumentException)
            {
                ReportFailure(ex, Title);
            }
        }
    }
}
