using PSSocAutomation.Aws.Events;

namespace PSSocAutomation.Tests.Aws.Events;

/// <summary>Which SubscribeURLs ConvertFrom-SecurityHubEvent -ConfirmSubscription may visit.</summary>
public sealed class SnsSubscriptionConfirmerTests
{
    [Theory]
    [InlineData("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37")]
    [InlineData("https://sns.cn-north-1.amazonaws.com.cn/?Action=ConfirmSubscription&Token=abc")]
    public void SNS_hosts_pass_the_strict_rule(string url) => Assert.Null(SnsSubscriptionConfirmer.SubscribeUrlRefusal(url, requireSnsHost: true));

    [Theory]
    [InlineData("http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription", "is not https")]
    [InlineData("https://sns.us-west-2.amazonaws.com:8443/?Action=ConfirmSubscription", "port 8443")]
    [InlineData("https://attacker.example/?Action=ConfirmSubscription", "not on an Amazon SNS host")]
    [InlineData("https://my-bucket.s3.amazonaws.com/?Action=ConfirmSubscription", "not on an Amazon SNS host")]
    [InlineData("https://sns.us-west-2.amazonaws.com.attacker.example/", "not on an Amazon SNS host")]
    [InlineData("https://user:pw@sns.us-west-2.amazonaws.com/", "user information")]
    [InlineData("ftp://sns.us-west-2.amazonaws.com/", "not an http(s) URL")]
    [InlineData("", "missing")]
    public void Anything_else_is_refused_when_the_host_must_be_SNS(string url, string reason) =>
        Assert.Contains(reason, SnsSubscriptionConfirmer.SubscribeUrlRefusal(url, requireSnsHost: true));

    [Fact]
    public void With_pinned_certificates_any_http_or_https_URL_is_visited_but_not_other_schemes()
    {
        Assert.Null(SnsSubscriptionConfirmer.SubscribeUrlRefusal("http://127.0.0.1:5000/?Action=ConfirmSubscription&Token=abc", requireSnsHost: false));
        Assert.Contains("not an http(s) URL", SnsSubscriptionConfirmer.SubscribeUrlRefusal("file:///etc/passwd", requireSnsHost: false));
    }
}
