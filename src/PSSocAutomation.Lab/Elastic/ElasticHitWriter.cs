using System.Text.Json;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>One hit to write: which index, which document, its score (NaN writes null) and where its sort values are.</summary>
internal readonly record struct SearchHit(IndexSnapshot Target, StoredDocument Doc, float Score, SortedOrder? Order, int Position);

internal sealed record HitOptions(SourceFilter Source, FieldsOption? Fields, bool WriteSort, bool Version, bool SeqNoPrimaryTerm);

/// <summary>
/// Writes hits in ES's key order (_index, _id, _version, _seq_no, _primary_term, _score, _source, fields, sort). The
/// source goes out as the stored bytes unless filtered: this loop is the hot path of every PIT page.
/// </summary>
internal static class ElasticHitWriter
{
    private static readonly JsonEncodedText IndexName = JsonEncodedText.Encode("_index");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("_id");
    private static readonly JsonEncodedText ScoreName = JsonEncodedText.Encode("_score");
    private static readonly JsonEncodedText SourceName = JsonEncodedText.Encode("_source");

    public static void Write(Utf8JsonWriter writer, SearchHit hit, HitOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(IndexName, hit.Target.Index.Name);
        writer.WriteString(IdName, hit.Doc.Id);
        if (options.Version) writer.WriteNumber("_version", hit.Doc.Version);
        if (options.SeqNoPrimaryTerm)
        {
            writer.WriteNumber("_seq_no", hit.Doc.SeqNo);
            writer.WriteNumber("_primary_term", 1);
        }
        writer.WritePropertyName(ScoreName);
        if (float.IsNaN(hit.Score)) writer.WriteNullValue();
        else ElasticNumbers.Write(writer, hit.Score, isFloat: true);
        if (options.Source.Fetch)
        {
            writer.WritePropertyName(SourceName);
            options.Source.Write(writer, hit.Doc.Source);
        }
        options.Fields?.Write(writer, hit.Target, hit.Doc);
        if (options.WriteSort && hit.Order is not null) hit.Order.WriteSortValues(writer, hit.Position);
        writer.WriteEndObject();
    }
}
