using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PSSocAutomation.Core
{
    /// <summary>
    /// Anything an analyst hands a cmdlet as a body (a hashtable, a PSCustomObject, a JSON string, an object from an
    /// earlier cmdlet) written as JSON. Secure strings are refused: a secret never goes into a body by accident.
    /// </summary>
    public static class JsonBody
    {
        private const int MaxDepth = 64;

        public static byte[] ToUtf8(object? value)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
                Write(writer, value);
            return stream.ToArray();
        }

        public static string ToJson(object? value) => Encoding.UTF8.GetString(ToUtf8(value));

        /// <summary>Parse a body given as text, failing with the position of the mistake, or the key given twice.</summary>
        public static JsonNode? ParseText(string json, string what)
        {
            try
            {
                RefuseDuplicateKeys(json, what);
                return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"{what} is not valid JSON: {ex.Message}", ex);
            }
        }

        /// <summary>
        /// Elasticsearch refuses an object that has a key twice, and which one other readers keep (or whether they
        /// throw) is theirs to choose: a body with one is refused here, naming the key and where it is.
        /// </summary>
        private static void RefuseDuplicateKeys(string json, string what)
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var open = new Stack<Container>();
            var lastKey = string.Empty;
            while (reader.Read())
            {
                var parent = open.Count == 0 ? null : open.Peek();
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        lastKey = reader.GetString() ?? string.Empty;
                        if (!parent!.Keys!.Add(lastKey))
                            throw new ArgumentException($"{what} has the key '{lastKey}' twice in the same object ({parent.Path}). Elasticsearch refuses a key given twice: keep one, or put the values in one list (\"{lastKey}\": [ ... ]).");
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var path = parent is null ? "$" : parent.Keys != null ? parent.Path + "." + lastKey : parent.Path + "[" + parent.Items++ + "]";
                        open.Push(new Container(path, reader.TokenType == JsonTokenType.StartObject));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        open.Pop();
                        break;
                    default:
                        if (parent != null && parent.Keys is null) parent.Items++;
                        break;
                }
            }
        }

        private sealed class Container
        {
            public Container(string path, bool isObject)
            {
                Path = path;
                Keys = isObject ? new HashSet<string>(StringComparer.Ordinal) : null;
            }

            public string Path { get; }
            /// <summary>The keys seen so far; null for an array.</summary>
            public HashSet<string>? Keys { get; }
            public int Items { get; set; }
        }

        /// <summary>A mutable JSON object from any accepted input (so a cmdlet can add to the user's query).</summary>
        public static JsonObject ToJsonObject(object? value, string what)
        {
            value = PipelineInput.Unwrap(value);
            JsonNode? node;
            try
            {
                node = value is string s ? ParseText(s, what) : JsonNode.Parse(ToUtf8(value));
            }
            catch (ArgumentException ex) when (!(value is string))
            {
                // What cannot be written (a scriptblock, a secret) is named with the parameter it came in.
                throw new ArgumentException(what + ": " + ex.Message, ex);
            }
            if (node is JsonObject obj) return obj;
            throw new ArgumentException($"{what} must be a JSON object (a hashtable, an object or a JSON string starting with '{{').");
        }

        /// <summary>An object, hashtable or JSON text as a JSON object; null for anything else (an enrichment that is not one is dropped, not fatal).</summary>
        public static JsonObject? ObjectOrNull(object? value)
        {
            value = PipelineInput.Unwrap(value);
            if (value is null || value is string s && s.Trim().Length == 0) return null;
            try
            {
                return ToJsonObject(value, "The value");
            }
            catch (ArgumentException)
            {
                return null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string Abbreviate(string code)
        {
            code = code.Trim();
            return code.Length <= 60 ? code : code.Substring(0, 60) + "…";
        }

        public static void Write(Utf8JsonWriter writer, object? value, int depth = 0)
        {
            if (depth > MaxDepth) throw new ArgumentException("The body nests deeper than " + MaxDepth + " levels; is there a reference loop?");
            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    writer.WriteStartObject();
                    foreach (var property in pso.Properties)
                    {
                        if (!(property is PSNoteProperty) && !(property is PSProperty)) continue;
                        writer.WritePropertyName(property.Name);
                        Write(writer, property.Value, depth + 1);
                    }
                    writer.WriteEndObject();
                    return;
                }
                value = pso.BaseObject;
            }

            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    return;
                case string s:
                    writer.WriteStringValue(s);
                    return;
                case bool b:
                    writer.WriteBooleanValue(b);
                    return;
                case char c:
                    writer.WriteStringValue(c.ToString());
                    return;
                case int i: writer.WriteNumberValue(i); return;
                case long l: writer.WriteNumberValue(l); return;
                case short sh: writer.WriteNumberValue(sh); return;
                case byte by: writer.WriteNumberValue(by); return;
                case uint ui: writer.WriteNumberValue(ui); return;
                case ulong ul: writer.WriteNumberValue(ul); return;
                case double d: writer.WriteNumberValue(d); return;
                case float f: writer.WriteNumberValue(f); return;
                case decimal m: writer.WriteNumberValue(m); return;
                case DateTime dt:
                    writer.WriteStringValue(dt.Kind == DateTimeKind.Unspecified ? dt.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) : dt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture));
                    return;
                case DateTimeOffset dto:
                    writer.WriteStringValue(dto.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture));
                    return;
                case TimeSpan ts:
                    writer.WriteStringValue(ts.ToString("c", CultureInfo.InvariantCulture));
                    return;
                case Guid g:
                    writer.WriteStringValue(g.ToString());
                    return;
                case Uri u:
                    writer.WriteStringValue(u.ToString());
                    return;
                case Enum e:
                    writer.WriteStringValue(e.ToString());
                    return;
                case ScriptBlock block:
                    throw new ArgumentException($"A scriptblock ({{ {Abbreviate(block.ToString())} }}) cannot be sent as JSON: a request body is data, not PowerShell code. Give a hashtable (@{{ term = @{{ severity = 'high' }} }}) or JSON text instead.");
                case System.Security.SecureString _:
                case PSCredential _:
                    throw new ArgumentException("A SecureString or PSCredential cannot be written into a request body.");
                case JsonElement je:
                    je.WriteTo(writer);
                    return;
                case JsonNode jn:
                    jn.WriteTo(writer);
                    return;
                case IJsonBody custom:
                    custom.WriteJson(writer);
                    return;
                case IDictionary dictionary:
                    writer.WriteStartObject();
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                        Write(writer, entry.Value, depth + 1);
                    }
                    writer.WriteEndObject();
                    return;
                case IEnumerable enumerable:
                    writer.WriteStartArray();
                    foreach (var item in enumerable) Write(writer, item, depth + 1);
                    writer.WriteEndArray();
                    return;
            }

            // A .NET object: its public readable properties, the way ConvertTo-Json sees it.
            writer.WriteStartObject();
            foreach (var property in PSObject.AsPSObject(value).Properties)
            {
                if (!(property is PSProperty) && !(property is PSNoteProperty)) continue;
                if (!property.IsGettable) continue;
                object? propertyValue;
                try { propertyValue = property.Value; }
                catch (GetValueException) { continue; }
                writer.WritePropertyName(property.Name);
                Write(writer, propertyValue, depth + 1);
            }
            writer.WriteEndObject();
        }
    }
}
