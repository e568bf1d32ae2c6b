using System;
using System.Linq;
using System.Management.Automation;
using PSSocAutomation.Http;

namespace PSSocAutomation.Iris
{
    /// <summary>
    /// <para type="synopsis">Gets the IRIS customers the API user can see, by name or id.</para>
    /// <para type="description">Lists /manage/customers/list (read once per connection and cached). IRIS shows a non-administrator only the customers it is linked to, so a customer missing here may only be unlinked. Other IRIS cmdlets take -Customer as a name or an id and resolve it the same way.</para>
    /// </summary>
    /// <example><code>Get-IrisCustomer -Name 'ACME*'</code><para>The customers whose name starts with ACME, with their ids.</para></example>
    /// <example><code>Get-IrisCustomer -Id 1 | Format-List</code><para>One customer by id, with every field the server returns.</para></example>
    [Cmdlet(VerbsCommon.Get, "IrisCustomer", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(IrisCustomer))]
    public sealed class GetIrisCustomerCommand : IrisCommandBase
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary>Customer names; wildcards allowed. Default: every customer. An exact name IRIS lacks is an error (IrisCustomerNotFound); a wildcard that matches nothing returns nothing.</summary>
        [Parameter(Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary>Customer ids.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("CustomerId", "customer_id")]
        public int[]? Id { get; set; }

        /// <summary>Read the list from the server again instead of the connection's cache.</summary>
        [Parameter]
        public SwitchParameter Refresh { get; set; }

        protected override void Begin()
        {
            if (Refresh) Client.Lookups.Clear();
        }

        protected override void ProcessRecord()
        {
            System.Collections.Generic.IReadOnlyList<IrisCustomer> customers;
            try
            {
                customers = Run(ct => Client.Lookups.GetCustomersAsync(ct));
            }
            catch (SocApiException ex)
            {
                ThrowApiError(ex, ErrorPrefix, "customers");
                return;
            }
            if (ParameterSetName == IdSet)
            {
                foreach (var id in Id!)
                {
                    var match = customers.FirstOrDefault(c => c.CustomerId == id);
                    if (match != null) WriteObject(match);
                    else WriteError(new ErrorRecord(new ArgumentException($"IRIS has no customer {id} that this user can see (customers: {string.Join(", ", customers.Select(c => c.CustomerId + " " + c.Name))})."), "IrisCustomerNotFound", ErrorCategory.ObjectNotFound, id));
                }
                return;
            }
            if (Name is null || Name.Length == 0)
            {
                foreach (var c in customers) WriteObject(c);
                return;
            }
            foreach (var name in Name)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var matches = customers.Where(c => pattern.IsMatch(c.Name)).ToList();
                foreach (var c in matches) WriteObject(c);
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                    WriteError(new ErrorRecord(new ArgumentException($"IRIS has no customer named '{name}' that this user can see. Customers: {string.Join(", ", customers.Select(c => "'" + c.Name + "'"))}. IRIS shows a user only the customers it is linked to."), "IrisCustomerNotFound", ErrorCategory.ObjectNotFound, name));
            }
        }
    }
}
