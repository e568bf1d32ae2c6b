using System.Text.Json;

namespace PSSocAutomation.Core
{
    /// <summary>An object that knows its own JSON form (the normalized alert writes its original document).</summary>
    public interface IJsonBody
    {
        void WriteJson(Utf8JsonWriter writer);
    }
}
