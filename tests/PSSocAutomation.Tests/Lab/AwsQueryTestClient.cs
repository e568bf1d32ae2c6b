using System.Text;
using System.Xml.Linq;
using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Tests.Lab;

/// <summary>
/// Signed Query-protocol calls to the AWS Lab over real HTTP, as botocore's serializers send them: a form POST to / with
/// Action, Version and the flattened members, signed for the service's signing name and the Lab's region.
/// </summary>
internal sealed class AwsQueryTestClient : IDisposable
{
    private readonly LabServer _lab;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public AwsQueryTestClient(LabServer lab) => _lab = lab;

    public void Dispose() => _client.Dispose();

    internal sealed record Reply(int Code, string Text, string? RequestIdHeader, string? ContentType)
    {
        public XDocument Xml => XDocument.Parse(Text);
        public XElement Root => Xml.Root!;
    }

    public static string Form(string action, string version, params (string Name, string Value)[] members) =>
        string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(members)
            .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));

    public async Task<Reply> Call(string service, string action, string version, params (string Name, string Value)[] members) =>
        await Send(service, Form(action, version, members));

    public async Task<Reply> Send(string service, string form, string? region = null, string? secret = null, DateTimeOffset? at = null)
    {
        var signer = new AwsTestSigner(_lab.Credentials.AwsUser, region ?? _lab.Aws.Region, service, at ?? DateTimeOffset.UtcNow) { SecretOverride = secret };
        using var request = signer.Build(HttpMethod.Post, _lab.AwsUri, Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded; charset=utf-8");
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, text,
            response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.Single() : null, response.Content.Headers.ContentType?.MediaType);
    }
}
