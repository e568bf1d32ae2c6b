using System.Text;

namespace PSSocAutomation.Lab.Elastic;

/// <summary>
/// One indexed value of one field, 16 bytes, so a million alerts with a dozen fields fit in well under a gigabyte.
/// Strings are not copied: they are a slice of the stored UTF-8 source, unless the source spelled them with escapes.
/// </summary>
internal readonly struct FieldValue
{
    /// <summary>Length marker: the value is a number (long, double bits, date millis, boolean 0/1) in <see cref="Number"/>.</summary>
    public const int Scalar = -1;
    /// <summary>Length marker: the value is <see cref="StoredDocument.Strings"/>[<see cref="Number"/>].</summary>
    public const int Unescaped = -2;

    public FieldValue(int field, int length, long number)
    {
        Field = field;
        Length = length;
        Number = number;
    }

    public readonly int Field;
    /// <summary>&gt;= 0: byte length of a string slice of the source starting at <see cref="Number"/>.</summary>
    public readonly int Length;
    public readonly long Number;

    public double Double => BitConverter.Int64BitsToDouble(Number);
}

/// <summary>
/// A stored document: its id, its source exactly as sent (ES returns it byte for byte), and the values pulled out of
/// it at index time, ordered by field id so a lookup is a short scan.
/// </summary>
internal sealed class StoredDocument
{
    private long _deletedGeneration = long.MaxValue;

    public StoredDocument(string id, byte[] source, FieldValue[] values, string[]? strings, long version, long seqNo)
    {
        Id = id;
        Source = source;
        Values = values;
        Strings = strings;
        Version = version;
        SeqNo = seqNo;
    }

    public string Id { get; }
    public byte[] Source { get; }
    public FieldValue[] Values { get; }
    public string[]? Strings { get; }
    public long Version { get; }
    public long SeqNo { get; }

    /// <summary>A snapshot taken at generation g sees this document until a write of a later generation removed it.</summary>
    public bool VisibleAt(long generation) => Volatile.Read(ref _deletedGeneration) > generation;

    public bool IsDeleted => Volatile.Read(ref _deletedGeneration) != long.MaxValue;

    public void MarkDeleted(long generation) => Volatile.Write(ref _deletedGeneration, generation);

    /// <summary>The values of <paramref name="field"/>, in source order.</summary>
    public ReadOnlySpan<FieldValue> ValuesOf(int field)
    {
        var values = Values;
        var i = 0;
        while (i < values.Length && values[i].Field < field) i++;
        var start = i;
        while (i < values.Length && values[i].Field == field) i++;
        return values.AsSpan(start, i - start);
    }

    public string GetString(in FieldValue value) => value.Length switch
    {
        FieldValue.Unescaped => Strings![value.Number],
        >= 0 => Encoding.UTF8.GetString(Source, (int)value.Number, value.Length),
        _ => string.Empty,
    };

    /// <summary>The UTF-8 bytes of a string value; allocation-free unless the source escaped it.</summary>
    public ReadOnlySpan<byte> GetUtf8(in FieldValue value) => value.Length switch
    {
        FieldValue.Unescaped => Encoding.UTF8.GetBytes(Strings![value.Number]),
        >= 0 => Source.AsSpan((int)value.Number, value.Length),
        _ => ReadOnlySpan<byte>.Empty,
    };

    /// <summary>ignore_above counts characters, not bytes; a slice no longer than the limit in bytes cannot exceed it.</summary>
    public bool ExceedsChars(in FieldValue value, int limit)
    {
        if (value.Length == FieldValue.Unescaped) return Strings![value.Number].Length > limit;
        if (value.Length <= limit) return false;
        return Encoding.UTF8.GetCharCount(Source, (int)value.Number, value.Length) > limit;
    }
}
