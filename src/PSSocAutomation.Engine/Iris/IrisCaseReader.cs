using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Iris
{
    /// <summary>One case by id, in the shape every other case read has.</summary>
    public static class IrisCaseReader
    {
        /// <summary>
        /// GET /manage/cases/{id} leaves out severity_id (IRIS's case details query never selected it), so a case read
        /// by id would lack the Severity the same case has from the filter. Where the filter exists (2.3.4+, which is also
        /// when cases got a severity) the case is read through it; a case it does not return is read by id after all, so
        /// that a missing or forbidden case is reported as IRIS reports it.
        /// </summary>
        public static async Task<IrisCase> ReadAsync(IrisClient client, int caseId, CancellationToken cancellationToken)
        {
            IrisCase? found = null;
            if (client.RequireVersion().HasCaseFilter)
            {
                var filter = new IrisCaseFilter();
                filter.CaseIds.Add(caseId);
                await foreach (var c in client.GetCasesAsync(filter, 1, cancellationToken).ConfigureAwait(false))
                {
                    if (c.CaseId != caseId) continue;
                    found = c;
                    break;
                }
            }
            found ??= await client.GetCaseAsync(caseId, cancellationToken).ConfigureAwait(false);
            return await client.Lookups.FillNamesAsync(found, cancellationToken).ConfigureAwait(false);
        }
    }
}
