using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Lab.Hosting;

/// <summary>
/// Where a Lab process is and how to log in, as a JSON file for a script or test that started it: the Elastic URI, user,
/// password and encoded API key, the Kibana URI (same credentials), the IRIS URI, API key and certificate pin, and the AWS endpoint, region and both key sets, under the names Connect-Elastic and
/// Connect-Iris take. Written whole or not at all, so a reader polling for the file never sees half of it.
/// </summary>
public static class LabConnectionFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Describe(LabServer lab) => new()
    {
        ["ProcessId"] = Environment.ProcessId,
        ["Elastic"] = new JsonObject
        {
            ["Uri"] = lab.ElasticUri.ToString(),
            ["User"] = lab.Credentials.ElasticUser,
            ["Password"] = lab.Credentials.ElasticPassword,
            ["ApiKey"] = lab.Credentials.ElasticApiKeyEncoded,
        },
        // Kibana takes the Elasticsearch credentials above.
        ["Kibana"] = new JsonObject
        {
            ["Uri"] = lab.KibanaUri.ToString(),
        },
        ["Iris"] = new JsonObject
        {
            ["Uri"] = lab.IrisUri.ToString(),
            ["ApiKey"] = lab.Credentials.IrisApiKey,
            ["CertificateThumbprint"] = lab.CertificateSha256,
        },
        // One endpoint for every AWS service; the region is the one requests must be signed for.
        ["Aws"] = new JsonObject
        {
            ["Uri"] = lab.AwsUri.ToString(),
            ["Region"] = lab.Aws.Region,
            ["AccountId"] = lab.Credentials.AwsAccountId,
            ["AccessKeyId"] = lab.Credentials.AwsAccessKeyId,
            ["SecretAccessKey"] = lab.Credentials.AwsSecretAccessKey,
            ["UserArn"] = lab.Credentials.AwsUserArn,
            ["Session"] = new JsonObject
            {
                ["AccessKeyId"] = lab.Credentials.AwsSessionAccessKeyId,
                ["SecretAccessKey"] = lab.Credentials.AwsSessionSecretAccessKey,
                ["SessionToken"] = lab.Credentials.AwsSessionToken,
                ["Arn"] = lab.Credentials.AwsAssumedRoleArn,
            },
        },
    };

    public static void Write(LabServer lab, string path)
    {
        var full = Path.GetFullPath(path);
        // Same folder, so the move is a rename: atomic, and it replaces an older file in one step.
        var temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Environment.ProcessId + ".tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // The file holds this run's secrets: readable by its owner only.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, Describe(lab), Indented);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
