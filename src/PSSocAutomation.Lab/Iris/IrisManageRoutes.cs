using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Iris;

/// <summary>/api/ping, /api/versions, the /manage/* lookup lists, customers and users.</summary>
internal static class IrisManageRoutes
{
    private static readonly Field[] CustomerFields =
    [
        new("customer_name", FieldType.String, Required: true, Nullable: false, Min: 2),
        new("customer_description", FieldType.String),
        new("customer_sla", FieldType.String),
        new("custom_attributes", FieldType.Raw),
    ];

    public static void Map(IrisRouter routes)
    {
        routes.Api("GET", "/api/ping", IrisPermissions.None, _ => IrisEnvelope.Success("pong"));
        routes.Api("GET", "/api/versions", IrisPermissions.None, r => IrisEnvelope.Success("", new JsonObject
        {
            ["iris_current"] = r.Version.Text,
            ["api_min"] = r.Version.ApiMin,
            ["api_current"] = r.Version.ApiCurrent,
        }));

        routes.Api("GET", "/manage/severities/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.SeverityList()));
        routes.Api("GET", "/manage/alert-status/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.AlertStatusList()));
        routes.Api("GET", "/manage/alert-resolutions/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.ResolutionList()));
        routes.Api("GET", "/manage/case-classifications/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.ClassificationList()));
        routes.Api("GET", "/manage/ioc-types/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.IocTypeList()));
        routes.Api("GET", "/manage/tlp/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.TlpList()));
        routes.Api("GET", "/manage/asset-type/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.AssetTypeList()));
        routes.Api("GET", "/manage/case-states/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.CaseStateList()));
        routes.Api("GET", "/manage/analysis-status/list", IrisPermissions.None, _ => IrisEnvelope.Success("", IrisLookups.AnalysisStatusList()));
        routes.Api("GET", "/manage/case-templates/list", IrisPermissions.CaseTemplatesRead, r => IrisEnvelope.Success("",
            new JsonArray(r.Store.Templates.Values.Select(t => (JsonNode?)IrisSchemas.CaseTemplate(t)).ToArray())));

        routes.Api("GET", "/manage/customers/list", IrisPermissions.CustomersRead, ListCustomers);
        routes.Api("POST", "/manage/customers/add", IrisPermissions.CustomersWrite, AddCustomer);
        routes.Api("GET", "/manage/users/list", IrisPermissions.ServerAdministrator, r => IrisEnvelope.Success("",
            new JsonArray(r.Store.Users.Select(u => (JsonNode?)IrisSchemas.UserListItem(u)).ToArray())));
    }

    /// <summary>Non-administrators only see the customers they are linked to: a missing name may just mean "not linked".</summary>
    private static IrisReply ListCustomers(IrisRequest r) => IrisEnvelope.Success("", new JsonArray(r.Store.Customers.Values
        .Where(c => r.Store.HasCustomerAccess(r.User, c.CustomerId))
        .Select(c => (JsonNode?)IrisSchemas.CustomerListItem(c)).ToArray()));

    private static IrisReply AddCustomer(IrisRequest r)
    {
        var body = r.JsonObject();
        var errors = new IrisErrors();
        var loaded = IrisValidation.Load(body, CustomerFields, errors);
        if (!errors.Any)
        {
            var name = loaded.Str("customer_name")!;
            // Names are unique regardless of case.
            if (r.Store.Customers.Values.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
                errors.Add("customer_name", "Customer already exists");
        }
        if (!errors.Any && body.TryGetPropertyValue("custom_attributes", out var attributes) && Py.Kind(attributes) is not (PyKind.Dict or PyKind.None))
            errors.Add("custom_attributes", "Invalid data type");
        if (errors.Any) return IrisEnvelope.Error("Error adding customer", errors.ToJson());

        var customer = r.Store.AddCustomer(loaded.Str("customer_name")!, loaded.Str("customer_description"), loaded.Str("customer_sla"),
            loaded.Raw("custom_attributes"), r.User);
        return IrisEnvelope.Success("Added successfully", IrisSchemas.Customer(customer));
    }
}
