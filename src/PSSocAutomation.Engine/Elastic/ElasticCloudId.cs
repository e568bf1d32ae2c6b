using System;
using System.Text;

namespace PSSocAutomation.Elastic
{
    /// <summary>
    /// Elastic Cloud ID: "[label:]base64(host[:port]$es-uuid[:port]$kibana-uuid[:port])". A port on the host applies to
    /// both services, a port on a uuid to that service only; the default port is 443.
    /// </summary>
    public static class ElasticCloudId
    {
        public static (Uri Elasticsearch, Uri? Kibana) Parse(string cloudId)
        {
            if (string.IsNullOrWhiteSpace(cloudId)) throw new ArgumentException("-CloudId is empty.");
            var encoded = cloudId.Substring(cloudId.LastIndexOf(':') + 1);
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
            catch (FormatException) { throw new ArgumentException("-CloudId is not a valid Elastic Cloud ID: the part after the label is not base64. Copy it from the deployment's page in Elastic Cloud."); }
            var parts = decoded.Split('$');
            if (parts.Length < 3 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new ArgumentException("-CloudId is not a valid Elastic Cloud ID: it should decode to 'host$elasticsearch-id$kibana-id'.");
            var (host, hostPort) = SplitPort(parts[0], "443");
            var (es, esPort) = SplitPort(parts[1], hostPort);
            Uri? kibana = null;
            if (parts[2].Length > 0)
            {
                var (kb, kbPort) = SplitPort(parts[2], hostPort);
                kibana = new Uri($"https://{kb}.{host}:{kbPort}/");
            }
            return (new Uri($"https://{es}.{host}:{esPort}/"), kibana);
        }

        private static (string Name, string Port) SplitPort(string part, string defaultPort)
        {
            var colon = part.LastIndexOf(':');
            return colon > 0 ? (part.Substring(0, colon), part.Substring(colon + 1)) : (part, defaultPort);
        }
    }
}
