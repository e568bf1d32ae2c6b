using PSSocAutomation.Iris;

namespace PSSocAutomation.Tests.Iris;

/// <summary>IRIS create and update bodies: checked before anything is sent, exact field names when sent.</summary>
public sealed class IrisWriteRequestTests
{
    private static IrisAlertCreate Alert() => new() { Title = "Beacon", SourceRef = "r-1", SeverityId = 5, StatusId = 2, CustomerId = 3 };

    [Fact]
    public void An_alert_body_has_the_required_fields_and_only_what_was_given()
    {
        var alert = Alert();
        alert.Tags.Add("a,b");
        alert.Tags.Add("c");
        alert.Iocs.Add(new IrisIocCreate(" 203.0.113.7 ", 76, 2));
        alert.Assets.Add(new IrisAssetCreate("WS-1", 9) { Ip = "10.0.0.1" });
        alert.EventTime = new DateTimeOffset(2024, 9, 20, 14, 0, 0, TimeSpan.FromHours(2));
        alert.Validate();
        var body = alert.ToJson();
        Assert.Equal(new[] { "alert_title", "alert_description", "alert_source", "alert_source_ref", "alert_source_link", "alert_severity_id", "alert_status_id", "alert_customer_id", "alert_source_event_time", "alert_tags", "alert_iocs", "alert_assets" },
            body.Select(p => p.Key));
        Assert.Equal("2024-09-20T12:00:00", body["alert_source_event_time"]!.GetValue<string>());
        Assert.Equal("a b,c", body["alert_tags"]!.GetValue<string>());
        Assert.Equal("""{"ioc_value":"203.0.113.7","ioc_type_id":76,"ioc_tlp_id":2,"ioc_description":""}""", body["alert_iocs"]![0]!.ToJsonString());
        Assert.Equal("""{"asset_name":"WS-1","asset_type_id":9,"asset_ip":"10.0.0.1"}""", body["alert_assets"]![0]!.ToJsonString());
    }

    [Fact]
    public void Bad_alerts_fail_with_a_message_naming_the_field()
    {
        var blank = Alert();
        blank.Title = "  ";
        Assert.Contains("alert_title", Assert.Throws<ArgumentException>(blank.Validate).Message);
        var noCustomer = Alert();
        noCustomer.CustomerId = 0;
        Assert.Contains("alert_customer_id", Assert.Throws<ArgumentException>(noCustomer.Validate).Message);
        var badIoc = Alert();
        badIoc.Iocs.Add(new IrisIocCreate("198.51.100.1", 76, 2));
        badIoc.Iocs.Add(new IrisIocCreate("x.example", 0, 2));
        var ioc = Assert.Throws<ArgumentException>(badIoc.Validate);
        Assert.Contains("IOC 2", ioc.Message);
        Assert.Contains("ioc_type_id", ioc.Message);
        Assert.Contains("asset_type_id", Assert.Throws<ArgumentException>(new IrisAssetCreate("WS-1", 0).Validate).Message);
        Assert.Contains("ioc_value", Assert.Throws<ArgumentException>(new IrisIocCreate(" ", 1, 1).Validate).Message);
    }

    [Fact]
    public void An_alert_update_sends_only_what_is_set_and_refuses_nothing_or_a_bad_owner()
    {
        var update = new IrisAlertUpdate { StatusId = 4, Note = "", Tags = Array.Empty<string>() };
        update.Validate();
        Assert.Equal("""{"alert_status_id":4,"alert_note":"","alert_tags":""}""", update.ToJson().ToJsonString());
        new IrisAlertUpdate { OwnerId = -1 }.Validate();
        Assert.Throws<ArgumentException>(new IrisAlertUpdate().Validate);
        Assert.Contains("alert_owner_id", Assert.Throws<ArgumentException>(new IrisAlertUpdate { OwnerId = 0 }.Validate).Message);
    }
}
