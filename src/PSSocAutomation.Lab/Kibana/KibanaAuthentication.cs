using Microsoft.AspNetCore.Http;
using PSSocAutomation.Lab.Elastic;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Lab.Kibana;

/// <summary>
/// Kibana authenticates against the cluster's own security realm, so the Lab takes exactly the Elasticsearch Lab's
/// credentials (Basic elastic/password, ApiKey, Bearer) through the same checker. What differs is the refusal: Kibana
/// hides ES's reason behind the platform 401. After authentication Kibana's XSRF guard refuses a state-changing
/// request without kbn-xsrf (any value).
/// </summary>
internal sealed class KibanaAuthentication
{
    private readonly ElasticAuthentication _realm;

    public KibanaAuthentication(LabCredentials credentials) => _realm = new ElasticAuthentication(credentials);

    public LabResponse? Check(HttpContext context)
    {
        Principal principal;
        try
        {
            principal = _realm.Authenticate(context);
        }
        catch (ElasticException)
        {
            return KibanaErrors.Platform(401, "Unauthorized") with { Headers = [new("WWW-Authenticate", "Basic realm=\"kibana\"")] };
        }
        LabRequest.SetPrincipal(context, principal.JournalName);
        context.Items[KibanaLab.UserItem] = principal.User;

        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !context.Request.Headers.ContainsKey("kbn-xsrf"))
            return KibanaErrors.Platform(400, "Request must contain a kbn-xsrf header.");
        return null;
    }
}
