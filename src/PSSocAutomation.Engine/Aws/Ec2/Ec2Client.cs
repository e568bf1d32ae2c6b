using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using PSSocAutomation.Http;
using static PSSocAutomation.Aws.AwsQueryProtocol;

namespace PSSocAutomation.Aws.Ec2
{
    /// <summary>
    /// Amazon EC2 over its own Query dialect (version 2016-11-15): lists as Name.N (InstanceId.1, Filter.1.Value.1),
    /// answers with lowerCamel elements and &lt;item&gt; lists, errors as Response/Errors/Error (read by <see cref="AwsErrors"/>).
    /// This part reads; the isolation steps build on it.
    /// </summary>
    public sealed partial class Ec2Client
    {
        public const string Version = "2016-11-15";
        private readonly HttpPipeline _pipeline;

        public Ec2Client(HttpPipeline pipeline, string region)
        {
            _pipeline = pipeline;
            Region = region;
        }

        public string Region { get; }

        /// <summary>EC2's filter parameters: Filter.N.Name and Filter.N.Value.M.</summary>
        public static IEnumerable<KeyValuePair<string, string>> Filters(params (string Name, string[] Values)[] filters)
        {
            for (var i = 0; i < filters.Length; i++)
            {
                var n = (i + 1).ToString(CultureInfo.InvariantCulture);
                yield return new KeyValuePair<string, string>("Filter." + n + ".Name", filters[i].Name);
                for (var j = 0; j < filters[i].Values.Length; j++)
                    yield return new KeyValuePair<string, string>("Filter." + n + ".Value." + (j + 1).ToString(CultureInfo.InvariantCulture), filters[i].Values[j]);
            }
        }

        /// <summary>
        /// One instance by id, with every interface and its groups. Throws <see cref="SocApiException"/> (NotFound) for an
        /// id EC2 does not know (InvalidInstanceID.NotFound), and <see cref="ArgumentException"/> for one that is no instance id.
        /// </summary>
        public async Task<Ec2Instance> DescribeInstanceAsync(string instanceId, CancellationToken cancellationToken)
        {
            if (!IsInstanceId(instanceId))
                throw new ArgumentException($"'{instanceId}' is not an EC2 instance id (i- followed by 8 or 17 hexadecimal digits).", nameof(instanceId));
            var root = await CallAsync(_pipeline, "DescribeInstances", Version, new[] { new KeyValuePair<string, string>("InstanceId.1", instanceId) }, idempotent: true, cancellationToken).ConfigureAwait(false);
            var item = Items(Find(root, "reservationSet")).SelectMany(r => Items(Child(r, "instancesSet"))).FirstOrDefault(i => Text(i, "instanceId") == instanceId)
                ?? throw new SocApiException(ApiFailureKind.NotFound, _pipeline.ServiceName, $"{_pipeline.ServiceName} does not list instance {instanceId} in {Region}.");
            return ReadInstance(item, Region);
        }

        /// <summary>
        /// The first page (up to 1,000) of instances that are not terminated, with their Name tag and state: what tab
        /// completion offers. One call, so a completer stays within its bound.
        /// </summary>
        public async Task<IReadOnlyList<Ec2Instance>> ListInstancesAsync(CancellationToken cancellationToken)
        {
            var parameters = Filters(("instance-state-name", new[] { "pending", "running", "stopping", "stopped" }))
                .Concat(new[] { new KeyValuePair<string, string>("MaxResults", "1000") });
            var root = await CallAsync(_pipeline, "DescribeInstances", Version, parameters, idempotent: true, cancellationToken).ConfigureAwait(false);
            return Items(Find(root, "reservationSet")).SelectMany(r => Items(Child(r, "instancesSet"))).Select(i => ReadInstance(i, Region)).ToList();
        }

        /// <summary>The instance's current instance profile association, if any (associating or associated).</summary>
        public async Task<Ec2ProfileAssociation?> ProfileAssociationAsync(string instanceId, CancellationToken cancellationToken)
        {
            var parameters = Filters(("instance-id", new[] { instanceId }), ("state", new[] { "associating", "associated" }));
            var root = await CallAsync(_pipeline, "DescribeIamInstanceProfileAssociations", Version, parameters, idempotent: true, cancellationToken).ConfigureAwait(false);
            var item = Items(Find(root, "iamInstanceProfileAssociationSet")).FirstOrDefault();
            if (item is null) return null;
            return new Ec2ProfileAssociation(Text(item, "associationId") ?? string.Empty, Text(item, "instanceId") ?? instanceId,
                Text(Child(item, "iamInstanceProfile"), "arn"), Text(item, "state"));
        }

        /// <summary>i-xxxxxxxx (old) or i-xxxxxxxxxxxxxxxxx (current), hexadecimal.</summary>
        public static bool IsInstanceId(string? id) =>
            id != null && id.StartsWith("i-", StringComparison.Ordinal) && (id.Length == 10 || id.Length == 19) && id.Skip(2).All(Uri.IsHexDigit);

        internal static Ec2Instance ReadInstance(XElement item, string region)
        {
            var interfaces = Items(Child(item, "networkInterfaceSet")).Select(e =>
            {
                var attachment = Child(e, "attachment");
                return new Ec2NetworkInterface(Text(e, "networkInterfaceId") ?? string.Empty, Int(Text(attachment, "deviceIndex")), Text(attachment, "attachmentId"),
                    Text(e, "subnetId"), Text(e, "vpcId"), Text(e, "privateIpAddress"), Groups(Child(e, "groupSet")));
            }).OrderBy(e => e.DeviceIndex ?? int.MaxValue).ToList();
            var volumes = Items(Child(item, "blockDeviceMapping")).Select(b =>
            {
                var ebs = Child(b, "ebs");
                return new Ec2Volume(Text(b, "deviceName") ?? string.Empty, Text(ebs, "volumeId"), Bool(Text(ebs, "deleteOnTermination")));
            }).ToList();
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var tag in Items(Child(item, "tagSet")))
                if (Text(tag, "key") is string key) tags[key] = Text(tag, "value") ?? string.Empty;
            return new Ec2Instance(Text(item, "instanceId") ?? string.Empty, region, Text(Child(item, "instanceState"), "name"), Text(item, "instanceType"),
                Text(item, "vpcId"), Text(item, "subnetId"), Text(item, "privateIpAddress"), Text(Child(item, "placement"), "availabilityZone"),
                Text(Child(item, "iamInstanceProfile"), "arn"), interfaces, volumes, tags);
        }

        private static IReadOnlyList<Ec2GroupRef> Groups(XElement? set) =>
            Items(set).Select(g => new Ec2GroupRef(Text(g, "groupId") ?? string.Empty, Text(g, "groupName"))).ToList();

        private static XElement? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

        private static int? Int(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : (int?)null;

        private static bool? Bool(string? text) => bool.TryParse(text, out var value) ? value : (bool?)null;
    }
}
