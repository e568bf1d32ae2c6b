using PSSocAutomation.Http;

namespace PSSocAutomation.Tests.Http;

/// <summary>The forms a secret takes when a server quotes it back, and credentials written into a URL.</summary>
public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("{\"reason\":\"key ab+c/d=e refused\"}")]            // as sent
    [InlineData("{\"reason\":\"key ab\\u002Bc/d=e refused\"}")]      // System.Text.Json's escaping of +
    [InlineData("{\"reason\":\"key ab+c\\/d=e refused\"}")]          // PHP's and some Java writers' escaping of /
    [InlineData("{\"reason\":\"key ab%2Bc%2Fd%3De refused\"}")]      // URL-encoded
    public void A_secret_is_masked_in_the_forms_a_server_quotes_it_in(string body)
    {
        var redactor = new SecretRedactor();
        redactor.Add("ab+c/d=e");
        Assert.Equal("{\"reason\":\"key *** refused\"}", redactor.Redact(body));
    }

    [Theory]
    [InlineData("GET http://elastic:pa55@es:9200/_search failed", "GET http://***@es:9200/_search failed")]
    [InlineData("see https://user@host/x and https://a:b@c", "see https://***@host/x and https://***@c")]
    [InlineData("mail admin@example.com at http://host/", "mail admin@example.com at http://host/")]
    public void Credentials_in_a_url_are_masked_wherever_the_url_appears(string text, string expected) =>
        Assert.Equal(expected, new SecretRedactor().Redact(text));
}
