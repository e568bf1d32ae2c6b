namespace PSSocAutomation.Core
{
    /// <summary>
    /// Something of the organisation's an alert concerns: a host, a cloud instance, an ARN. Containment cmdlets act on
    /// these; sinks list them (IRIS assets, Jira fields).
    /// </summary>
    public sealed class AlertResource
    {
        /// <param name="id">The resource's name or id as its owner knows it: web-01, i-0abc..., arn:aws:iam::...</param>
        /// <param name="type">
        /// What it is: host, instance, or a source's own type name (Security Hub's AwsEc2Instance, AwsIamAccessKey ...).
        /// </param>
        public AlertResource(string id, string? type = null)
        {
            Id = id;
            Type = type;
        }

        public string Id { get; }
        public string? Type { get; }

        public override string ToString() => Type is null ? Id : Type + ":" + Id;
    }
}
