using System.Text.Json.Nodes;
using DeployRunner.Events;

namespace DeployRunner.Tests.Events;

public sealed class PullRequestEventTests
{
    private static JsonObject Closed(string action = "closed") => new()
    {
        ["action"] = action,
        ["number"] = 17,
        ["pull_request"] = new JsonObject { ["number"] = 17, ["head"] = new JsonObject { ["ref"] = "feature/login", ["sha"] = "abc123" } },
    };

    [Theory]
    [InlineData(null)]
    [InlineData("pull_request")]
    [InlineData("pull_request_target")]
    public void A_closed_pull_request_names_every_ref_form_of_its_head_branch(string? eventName)
    {
        var pullRequest = PullRequestEvent.TryRead(Closed(), eventName, "event.json");

        Assert.NotNull(pullRequest);
        Assert.Equal(17, pullRequest.Number);
        Assert.Equal("abc123", pullRequest.HeadSha);
        Assert.Equal(["feature/login", "heads/feature/login", "refs/heads/feature/login"], pullRequest.HeadRefForms);
    }

    [Fact]
    public void Other_events_are_not_pull_requests_even_when_they_carry_one()
    {
        Assert.Null(PullRequestEvent.TryRead(Closed("submitted"), "pull_request_review", "event.json"));
        Assert.Null(PullRequestEvent.TryRead(new JsonObject { ["deployment"] = new JsonObject() }, null, "event.json"));
    }

    [Theory]
    [InlineData("opened")]
    [InlineData("synchronize")]
    [InlineData("reopened")]
    public void A_pull_request_that_did_not_close_is_refused_with_the_fix(string action)
    {
        var error = Assert.Throws<ConfigurationException>(() => PullRequestEvent.TryRead(Closed(action), "pull_request", "event.json")).Message;

        Assert.Contains($"'{action}'", error);
        Assert.Contains("types: [closed]", error);
    }

    [Fact]
    public void A_closed_pull_request_without_its_head_is_refused()
    {
        var root = Closed();
        root["pull_request"]!.AsObject().Remove("head");

        var error = Assert.Throws<ConfigurationException>(() => PullRequestEvent.TryRead(root, "pull_request", "event.json")).Message;

        Assert.Contains("head.ref", error);
    }
}
