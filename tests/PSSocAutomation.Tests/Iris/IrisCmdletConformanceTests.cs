using System.Text.Json;
using System.Text.Json.Nodes;
using PSSocAutomation.Lab.Hosting;
using PSSocAutomation.Tests.Harness;
using static PSSocAutomation.Tests.Iris.IrisTestSupport;

namespace PSSocAutomation.Tests.Iris;

/// <summary>What the cmdlets send, against the fixture requests in ../shared/fixtures/iris (skipped without the folder).</summary>
public sealed class IrisCmdletConformanceTests : IClassFixture<LabFixture>
{
    private readonly LabFixture _fixture;

    public IrisCmdletConformanceTests(LabFixture fixture) => _fixture = fixture;

    private LabServer Lab => _fixture.Lab;

    private static JsonElement Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedFixtures!, "iris", name)));
        return doc.RootElement.Clone();
    }

    [SharedFixtureFact]
    public void The_cmdlet_case_request_matches_the_fixture_request_keys()
    {
        var fixture = Load("cases-add.request.json");
        var acme = Fresh(Lab);
        var variables = Variables(Lab);
        var result = _fixture.Session.Run(Connect + "New-IrisCase -Name 'My Case API' -Description 'A super nice description' -SocId 'SOC_154' -Customer ACME", variables);
        AssertClean(result);
        // The create, then the update that sets the module's mark tag (the create route takes no tags).
        Assert.Equal(new[] { "/manage/cases/add", "/manage/cases/update/" }, Posts(Lab).Select(p => p.Path.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')));
        var post = Posts(Lab).First();
        var body = JsonNode.Parse(post.Body)!.AsObject();
        Assert.Equal(fixture.EnumerateObject().Select(p => p.Name).OrderBy(n => n), body.Select(p => p.Key).OrderBy(n => n));
        Assert.Equal(acme, body["case_customer"]!.GetValue<int>());
    }
}
