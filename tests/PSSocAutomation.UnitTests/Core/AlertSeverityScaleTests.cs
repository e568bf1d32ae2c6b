using PSSocAutomation.Core;

namespace PSSocAutomation.Tests.Core;

/// <summary>Each source's numbers on its own scale, checked at every band edge.</summary>
public sealed class AlertSeverityScaleTests
{
    [Theory]
    [InlineData(-1, AlertSeverity.Unknown)]
    [InlineData(0, AlertSeverity.Low)]
    [InlineData(21, AlertSeverity.Low)]
    [InlineData(21.5, AlertSeverity.Medium)]
    [InlineData(22, AlertSeverity.Medium)]
    [InlineData(47, AlertSeverity.Medium)]
    [InlineData(48, AlertSeverity.High)]
    [InlineData(73, AlertSeverity.High)]
    [InlineData(74, AlertSeverity.Critical)]
    [InlineData(99, AlertSeverity.Critical)]
    [InlineData(100, AlertSeverity.Critical)]
    public void Elastic_risk_scores_follow_the_rule_guidelines(double score, AlertSeverity expected) =>
        Assert.Equal(expected, AlertSeverityScale.FromElasticRiskScore(score));

    [Theory]
    [InlineData(-1, AlertSeverity.Unknown)]
    [InlineData(0, AlertSeverity.Informational)]
    [InlineData(1, AlertSeverity.Low)]
    [InlineData(39, AlertSeverity.Low)]
    [InlineData(40, AlertSeverity.Medium)]
    [InlineData(69, AlertSeverity.Medium)]
    [InlineData(70, AlertSeverity.High)]
    [InlineData(89, AlertSeverity.High)]
    [InlineData(90, AlertSeverity.Critical)]
    [InlineData(100, AlertSeverity.Critical)]
    [InlineData(101, AlertSeverity.Unknown)]
    public void Security_hub_normalized_follows_the_asff_mapping(double normalized, AlertSeverity expected) =>
        Assert.Equal(expected, AlertSeverityScale.FromSecurityHubNormalized(normalized));

    [Theory]
    [InlineData(-0.1, AlertSeverity.Unknown)]
    [InlineData(0.1, AlertSeverity.Low)]
    [InlineData(1.0, AlertSeverity.Low)]
    [InlineData(3.9, AlertSeverity.Low)]
    [InlineData(4.0, AlertSeverity.Medium)]
    [InlineData(6.9, AlertSeverity.Medium)]
    [InlineData(7.0, AlertSeverity.High)]
    [InlineData(8.9, AlertSeverity.High)]
    [InlineData(9.0, AlertSeverity.Critical)]
    [InlineData(10.0, AlertSeverity.Critical)]
    [InlineData(10.1, AlertSeverity.Unknown)]
    public void Guardduty_severities_follow_its_bands(double severity, AlertSeverity expected) =>
        Assert.Equal(expected, AlertSeverityScale.FromGuardDuty(severity));

    [Fact]
    public void Security_hub_prefers_the_label_and_falls_back_to_normalized()
    {
        Assert.Equal(AlertSeverity.High, AlertSeverityScale.FromSecurityHub("HIGH", 10));
        Assert.Equal(AlertSeverity.Informational, AlertSeverityScale.FromSecurityHub("INFORMATIONAL", null));
        Assert.Equal(AlertSeverity.Medium, AlertSeverityScale.FromSecurityHub(null, 40));
        Assert.Equal(AlertSeverity.Critical, AlertSeverityScale.FromSecurityHub("", 95));
        Assert.Equal(AlertSeverity.Unknown, AlertSeverityScale.FromSecurityHub("70", null)); // a label is never a number
    }

    [Fact]
    public void A_number_means_what_its_sources_scale_says()
    {
        Assert.Equal(AlertSeverity.Low, AlertSeverityScale.Parse(7));
        Assert.Equal(AlertSeverity.High, AlertSeverityScale.Parse(7, AlertSeverityScale.FromGuardDuty));
        Assert.Equal(AlertSeverity.High, AlertSeverityScale.Parse("7.5", AlertSeverityScale.FromGuardDuty));
        Assert.Equal(AlertSeverity.Critical, AlertSeverityScale.Parse("critical", AlertSeverityScale.FromGuardDuty));
        Assert.Equal(AlertSeverity.High, AlertSeverityScale.Parse(75L, AlertSeverityScale.FromSecurityHubNormalized));
    }
}
