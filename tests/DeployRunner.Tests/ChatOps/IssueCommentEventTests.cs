using System.Text.Json.Nodes;
using DeployRunner.Events;

namespace DeployRunner.Tests.ChatOps;

/// <summary>An issue_comment payload read once into what a command needs: where, by whom, what.</summary>
public sealed class IssueCommentEventTests
{
    private static JsonObject Payload(string login = "octocat", string type = "User", bool pullRequest = true) => new()
    {
        ["action"] = "created",
        ["issue"] = new JsonObject { ["number"] = 7, ["pull_request"] = pullRequest ? new JsonObject { ["url"] = "x" } : null },
        ["comment"] = new JsonObject { ["id"] = 99, ["body"] = "/deploy review", ["user"] = new JsonObject { ["login"] = login, ["type"] = type } },
        ["repository"] = new JsonObject { ["full_name"] = "o/r", ["default_branch"] = "main" },
    };

    [Fact]
    public void A_comment_on_a_pull_request_is_read_into_a_commented_event()
    {
        var read = Assert.IsType<RunnerEvent.Commented>(RunnerEvent.Read(Payload(), "event.json", "issue_comment", deploymentId: null)).Comment;

        Assert.Equal(new IssueCommentEvent("created", 7, true, 99, "/deploy review", "octocat", false, "main"), read);
        Assert.True(read.IsCreated);
    }

    [Fact]
    public void A_local_run_infers_the_comment_from_the_payload() =>
        Assert.IsType<RunnerEvent.Commented>(RunnerEvent.Read(Payload(), "event.json", eventName: null, deploymentId: null));

    [Theory]
    [InlineData("dependabot[bot]", "User")]
    [InlineData("deliverybot", "Bot")]
    public void Bots_are_known_by_type_or_login(string login, string type) =>
        Assert.True(IssueCommentEvent.Read(Payload(login, type), "event.json").ByBot);

    [Fact]
    public void A_comment_on_an_issue_is_not_on_a_pull_request() =>
        Assert.False(IssueCommentEvent.Read(Payload(pullRequest: false), "event.json").OnPullRequest);

    [Theory]
    [InlineData("issue")]
    [InlineData("comment")]
    public void A_payload_without_its_parts_is_a_clear_error(string missing)
    {
        var payload = Payload();
        payload.Remove(missing);
        var error = Assert.Throws<ConfigurationException>(() => IssueCommentEvent.Read(payload, "event.json")).Message;
        Assert.Contains("event.json", error, StringComparison.Ordinal);
    }
}
