using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Credentials;
using PSSocAutomation.Http;

namespace PSSocAutomation.UnitTests.Aws;

/// <summary>Security Hub's quotas are the account's: every connection to the same account and region paces on one bucket.</summary>
public sealed class AwsQuotasTests
{
    private static Task<AwsConnection> Connect(string key, string region, Uri endpoint) =>
        AwsConnection.CreateAsync(new AwsCredentialRequest { Explicit = new AwsCredentialSet(key, "secret"), Region = region, Environment = _ => null },
            endpoint, new HttpPipelineOptions(endpoint), CancellationToken.None);

    [Fact]
    public async Task Connections_of_one_account_and_region_share_the_GetFindings_bucket_and_others_do_not()
    {
        var endpoint = new Uri("http://127.0.0.1:9/" + Guid.NewGuid().ToString("N") + "/");
        using var first = await Connect("AKIAFIRST", "us-east-1", endpoint);
        using var again = await Connect("AKIAFIRST", "us-east-1", endpoint);
        using var regional = first.For("us-east-1", null);
        using var elsewhere = first.For("eu-west-1", null);

        Assert.Same(first.SecurityHub.GetFindingsQuota, again.SecurityHub.GetFindingsQuota);
        Assert.Same(first.SecurityHub.GetFindingsQuota, regional.SecurityHub.GetFindingsQuota);
        Assert.Same(first.SecurityHub.BatchUpdateQuota, again.SecurityHub.BatchUpdateQuota);
        Assert.NotSame(first.SecurityHub.GetFindingsQuota, elsewhere.SecurityHub.GetFindingsQuota);
        Assert.NotSame(first.SecurityHub.GetFindingsQuota, first.SecurityHub.BatchUpdateQuota);
    }
}
