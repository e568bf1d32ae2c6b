using System;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Adds assets (hosts, accounts, servers ...) to an IRIS case.</para>
    /// <para type="description">Binds assets by property name (Name or Host, Ip, Type) and adds each to the case with ?cid=. The type is an IRIS asset type name or id (default 'Windows - Computer'). An asset the case already has (same name and type, which IRIS refuses) is returned as it is instead of failing, so running the same script again is harmless.</para>
    /// </summary>
    /// <example><code>Add-IrisCaseAsset -CaseId 42 -Name 'WS-0142' -Ip 10.1.4.22 -Type 'Windows - Computer' -Description 'Patient zero'</code><para>Adds the workstation WS-0142 with its address to case 42; an asset of that name already in the case is not added again.</para></example>
    /// <example><code>$case = Get-IrisCase -SocId 'alert-4711'; $case | Add-IrisCaseAsset -Name 'srv-db-01' -Type 'Linux - Server' -Description 'Reached from WS-0142 with stolen credentials'</code><para>Adds a server, with a description, to the case opened for one source alert.</para></example>
    [Cmdlet(VerbsCommon.Add, "IrisCaseAsset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IrisAsset))]
    public sealed class AddIrisCaseAssetCommand : IrisCommandBase
    {
        /// <summary>The case id (cid); bound from IrisCase objects.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("case_id", "cid")]
        public int CaseId { get; set; }

        /// <summary>The asset name (a host name, an account ...).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("asset_name", "Host", "HostName")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The IRIS asset type, by name or id (default 'Windows - Computer').</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("asset_type", "AssetType")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IrisLookupCompleter))]
        public string Type { get; set; } = "Windows - Computer";

        /// <summary>The asset's IP address.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("asset_ip", "IpAddress")]
        public string? Ip { get; set; }

        /// <summary>The asset's domain.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("asset_domain")]
        public string? Domain { get; set; }

        /// <summary>A description of the asset.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("asset_description")]
        public string? Description { get; set; }

        /// <summary>Tags for the asset.</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        protected override void ProcessRecord()
        {
            var name = Name.Trim();
            if (!ShouldProcess($"DFIR-IRIS case {CaseId}", $"Add asset '{name}' ({Type})")) return;
            int typeId;
            try
            {
                typeId = Run(ct => Client.Lookups.ResolveAsync(IrisLookupKind.AssetType, Type, ct));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorPrefix + "UnknownAssetType", ErrorCategory.InvalidArgument, Type));
                return;
            }
            catch (SocApiException ex)
            {
                ReportFailure(ex, name);
                return;
            }
            var request = new IrisAssetCreate(name, typeId) { Ip = Ip, Domain = Domain, Description = Description };
            foreach (var tag in Tag ?? Array.Empty<string>()) request.Tags.Add(tag);
            try
            {
                WriteObject(Run(ct => Client.AddCaseAssetAsync(CaseId, request, ct)));
            }
            catch (ArgumentException ex)
            {
                ReportFailure(ex, name);
            }
            catch (SocApiException ex) when ((ex.VendorReason ?? string.Empty).IndexOf("already exists", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                try
                {
                    var existing = Run(ct => Client.GetCaseAssetsAsync(CaseId, ct)).FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase) && (a.TypeId is null || a.TypeId == typeId));
                    if (existing is null) { ReportFailure(ex, name); return; }
                    WriteVerbose($"DFIR-IRIS case {CaseId} already has asset '{name}' (id {existing.AssetId}); not adding it again.");
                    existing.Existing = true;
                    WriteObject(existing);
                }
                catch (SocApiException inner)
                {
                    ReportFailure(inner, name);
                }
            }
            catch (SocApiException ex)
            {
                ReportFailure(ex, name);
            }
        }
    }
}
