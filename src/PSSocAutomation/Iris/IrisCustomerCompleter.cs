using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace PSSocAutomation.Iris
{
    /// <summary>Tab completion of -Customer: the names of the customers the IRIS connection's user can see.</summary>
    public sealed class IrisCustomerCompleter : IrisListCompleter
    {
        private protected override async Task<IEnumerable<KeyValuePair<string, string>>> ListAsync(IrisLookups lookups, string commandName, string parameterName, CancellationToken cancellationToken) =>
            (await lookups.GetCustomersAsync(cancellationToken).ConfigureAwait(false))
                .Select(c => new KeyValuePair<string, string>(c.Name, $"{c.Name} (customer {c.CustomerId})"));
    }
}
