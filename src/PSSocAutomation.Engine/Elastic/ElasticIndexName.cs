namespace PSSocAutomation.Elastic
{
    /// <summary>A name a search can target: an index, an alias or a data stream, as GET _resolve/index lists it.</summary>
    public sealed class ElasticIndexName
    {
        public ElasticIndexName(string name, string kind)
        {
            Name = name;
            Kind = kind;
        }

        public string Name { get; }
        /// <summary>"index", "alias" or "data stream".</summary>
        public string Kind { get; }

        public override string ToString() => Name;
    }
}
