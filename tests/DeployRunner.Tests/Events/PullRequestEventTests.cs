using System.Text.Json.Nodes;
using DeployRunner.Events;

namespace DeployRunner.Tests.Events;

public sealed class PullRequestEventTests
{
    private static JsonObject Closed(string action = "closed", string? headRepository = "octocat/hello-world") => new()
    {
        ["action"] = action,
        ["number"] = 17,
        ["pull_request"] = new JsonObject
        {
            ["number"] = 17,
            ["head"] = new JsonObject { ["ref"] = "feature/login", ["sha"] = "abc123", ["repo"] = new JsonObject { ["full_name"] = headRepository } },
            ["base"] = new JsonObject { ["ref"] = "main", ["repo"] = new JsonObject { ["full_name"] = "octocat/hello-world" } },
        },
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
        Assert.Equal(["feature/login", "heads/feature/login", "refs/heads/feature/login"], pullRequest.LookupRefs);
    }

    [Theory]
    [InlineData("someone/hello-world")]
    [InlineData(null)]
    public void A_fork_or_a_deleted_head_repository_is_looked_up_by_the_pull_requests_own_refs_only(string? headRepository)
    {
        var pullRequest = PullRequestEvent.TryRead(Closed(headRepository: headRepository), "pull_request_target", "event.json")!;

        Assert.True(pullRequest.FromFork);
        Assert.Equal(["refs/pull/17/head", "refs/pull/17/merge"], pullRequest.LookupRefs);
        Assert.False(pullRequest.IsOwnRef("feature/login"));
        Assert.False(pullRequest.IsOwnRef("refs/heads/feature/login"));
        Assert.True(pullRequest.IsOwnRef("refs/pull/17/head"));
        Assert.False(pullRequest.IsOwnRef("refs/pull/170/head"));
    }

    [Theory]
    [InlineData("feature/login", true)]
    [InlineData("heads/feature/login", true)]
    [InlineData("refs/heads/feature/login", true)]
    [InlineData("refs/pull/17/merge", true)]
    [InlineData("a5c3785ed8d6a35868bc169f07e40e889087fd2e", false)]
    [InlineData("a5c3785", false)]
    [InlineData("feature/login2", false)]
    [InlineData("refs/tags/feature/login", false)]
    public void A_same_repository_pull_request_owns_its_branch_in_every_form_but_no_bare_sha(string deploymentRef, bool own)
    {
        var pullRequest = PullRequestEvent.TryRead(Closed(), "pull_request", "event.json")!;

        Assert.False(pullRequest.FromFork);
        Assert.Equal(own, pullRequest.IsOwnRef(deploymentRef));
    }

    [Theory]
    [InlineData("a5c3785ed8d6a35868bc169f07e40e889087fd2e", true)]
    [InlineData("A5C3785", true)]
    [InlineData("a5c3785", true)]
    [InlineData("a5c378", false)]
    [InlineData("b5c3785", false)]
    [InlineData("feature/login", false)]
    public void A_ref_is_a_bare_sha_when_it_is_at_least_seven_hex_digits_of_the_deployments_own_sha(string deploymentRef, bool sha) =>
        Assert.Equal(sha, PullRequestEvent.IsShaRef(deploymentRef, "a5c3785ed8d6a35868bc169f07e40e889087fd2e"));

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
    public void A_pull_request_opened_or_updated_is_read_for_its_review_apps(string action)
    {
        var pullRequest = PullRequestEvent.TryRead(Closed(action), "pull_request", "event.json")!;

        Assert.Equal(action, pullRequest.Action);
        Assert.False(pullRequest.IsClosed);
    }

    [Theory]
    [InlineData("labeled")]
    [InlineData("edited")]
    public void A_pull_request_type_that_neither_deploys_nor_tears_down_is_refused_with_the_fix(string action)
    {
        var error = Assert.Throws<ConfigurationException>(() => PullRequestEvent.TryRead(Closed(action), "pull_request", "event.json")).Message;

        Assert.Contains($"'{action}'", error);
        Assert.Contains("types: [opened, synchronize, reopened, closed]", error);
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
