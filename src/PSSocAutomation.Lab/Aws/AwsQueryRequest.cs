using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace PSSocAutomation.Lab.Aws;

/// <summary>
/// The parameters of a Query-protocol request: the query string and, for a form POST, the body (botocore's
/// QuerySerializer sends Action, Version and the members there). A parameter in both is taken from the body.
/// </summary>
internal static class AwsQueryRequest
{
    public static Dictionary<string, string> Parameters(HttpRequest request, byte[] body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query) parameters[key] = value.ToString();
        if (body.Length > 0)
            foreach (var (key, value) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)))
                parameters[key] = value.ToString();
        return parameters;
    }
}
