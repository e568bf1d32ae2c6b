using PSSocAutomation.Lab.Hosting;

namespace PSSocAutomation.Tests.Harness;

/// <summary>One Lab and one PowerShell session per test class; tests reset the journal and faults they use.</summary>
public sealed class LabFixture : IAsyncLifetime
{
    private LabServer? _lab;
    private ModuleSession? _session;

    public LabServer Lab => _lab ?? throw new InvalidOperationException("The Lab has not started.");
    public ModuleSession Session => _session ??= new ModuleSession();

    public async Task InitializeAsync() => _lab = await LabServer.StartAsync();

    public async Task DisposeAsync()
    {
        _session?.Dispose();
        if (_lab != null) await _lab.DisposeAsync();
    }

    /// <summary>Clears faults and the journal, so a test sees only its own requests.</summary>
    public void Reset()
    {
        Lab.Faults.Clear();
        Lab.Journal.Clear();
    }

    /// <summary>Variables for a script that connects to the Lab's Elasticsearch with Basic auth.</summary>
    public Dictionary<string, object?> ElasticVariables() => new()
    {
        ["esUri"] = Lab.ElasticUri.ToString(),
        ["kbUri"] = Lab.KibanaUri.ToString(),
        ["esCred"] = new System.Management.Automation.PSCredential(Lab.Credentials.ElasticUser, Secure(Lab.Credentials.ElasticPassword)),
        ["esApiKey"] = Secure(Lab.Credentials.ElasticApiKeyEncoded),
    };

    /// <summary>Variables for a script that connects to the Lab's AWS endpoint with its access key: $awsCredential and $awsUri.</summary>
    public Dictionary<string, object?> AwsVariables() => new()
    {
        ["awsCredential"] = new System.Collections.Hashtable { ["AccessKeyId"] = Lab.Credentials.AwsAccessKeyId, ["SecretAccessKey"] = Lab.Credentials.AwsSecretAccessKey },
        ["awsUri"] = Lab.AwsUri.ToString(),
    };

    /// <summary>
    /// The Lab's addresses and credentials for a separate pwsh process (environment variables: a child process cannot
    /// be handed a SecureString), with the module manifest it imports.
    /// </summary>
    public Dictionary<string, string> PwshEnvironment() => new()
    {
        ["MODULE"] = RepositoryPaths.ModuleManifest,
        ["ES_URI"] = Lab.ElasticUri.ToString(),
        ["ES_USER"] = Lab.Credentials.ElasticUser,
        ["ES_PASSWORD"] = Lab.Credentials.ElasticPassword,
        ["KB_URI"] = Lab.KibanaUri.ToString(),
        ["IRIS_URI"] = Lab.IrisUri.ToString(),
        ["IRIS_KEY"] = Lab.Credentials.IrisApiKey,
        ["IRIS_THUMB"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Lab.Certificate.RawData)),
    };

    public static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }
}
