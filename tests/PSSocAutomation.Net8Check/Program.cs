using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PSSocAutomation.Aws;
using PSSocAutomation.Aws.Credentials;
using PSSocAutomation.Elastic;
using PSSocAutomation.Http;

// Runs the clients of the net8.0 engine (the module's core/ build) on the .NET 8 runtime this app carries, against the
// Lab whose addresses and keys come in the environment. One JSON line on success; a message and exit code 1 otherwise.
static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException(name + " is not set.");

try
{
    using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));

    // Elasticsearch: basic authentication, a search, System.Text.Json on its .NET 8 build.
    using var elastic = new ElasticClient(new HttpPipelineOptions(new Uri(Need("ES_URI"))) { Auth = HttpAuth.Basic(Need("ES_USER"), Need("ES_PASSWORD")) });
    var info = await elastic.GetInfoAsync(cancel.Token);
    using var hits = await elastic.SearchAsync(Need("ES_INDEX"), Encoding.UTF8.GetBytes("{\"size\":0,\"track_total_hits\":true}"), cancel.Token);
    var total = hits.RootElement.GetProperty("hits").GetProperty("total").GetProperty("value").GetInt64();

    // AWS: the SigV4 signer, the credential chain, Polly's retries and the rate limiter, through STS GetCallerIdentity.
    var endpoint = new Uri(Need("AWS_LAB_URI"));
    using var aws = await AwsConnection.CreateAsync(
        new AwsCredentialRequest { Explicit = new AwsCredentialSet(Need("AWS_KEY"), Need("AWS_SECRET")), Region = "us-east-1", Environment = _ => null },
        endpoint, new HttpPipelineOptions(endpoint), cancel.Token);
    var identity = await aws.IdentifyAsync(cancel.Token);

    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["Framework"] = RuntimeInformation.FrameworkDescription,
        ["Engine"] = typeof(ElasticClient).Assembly.GetName().Version?.ToString(),
        ["ElasticVersion"] = info.Version,
        ["Alerts"] = total,
        ["Arn"] = identity.Arn,
    }));
    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine(ex.GetType().Name + ": " + ex.Message);
    return 1;
}
