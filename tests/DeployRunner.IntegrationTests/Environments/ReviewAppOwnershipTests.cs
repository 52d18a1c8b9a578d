using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// A closed pull request owns only the review apps whose newest deployment
/// was made from its ref and is one of its commits (one request for the commit list). The
/// built runner against the fake GitHub API; the remove-script records what was torn down.
/// </summary>
public sealed class ReviewAppOwnershipTests : TeardownTest
{
    private const string ShaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ShaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string ShaOld = "cccccccccccccccccccccccccccccccccccccccc";

    [Fact(Timeout = 60_000)]
    public async Task Case_2a_closing_a_pull_request_leaves_another_branchs_review_app_with_the_same_sha_alone()
    {
        Deployed(1, "pr1", "feature-a", ShaA);
        Deployed(2, "pr2", "feature-b", ShaA);
        Api.AddPullRequestCommits(1, ShaA);
        using var sandbox = Close(1, "feature-a", ShaA);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["pr1"], Removed(sandbox));
        Assert.Equal("success", Api.LatestState(2));
        Assert.Equal("inactive", Api.LatestState(1));
        Assert.Contains("Environment 'pr2': kept, its newest deployment 2 was made from ref 'feature-b' at " + ShaA + ", not from the pull request's branch 'feature-a'.", result.Lines);
        Assert.Contains("Environment 'pr1': removing, its newest deployment 1 was made from ref 'feature-a' at " + ShaA + ", a commit of pull request #1.", result.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task Case_2b_a_fork_pull_request_whose_head_branch_is_called_main_removes_nothing_of_the_base_repository()
    {
        Deployed(10, "preview", "main", ShaB);
        Deployed(11, "preview-refs", "refs/heads/main", ShaB);
        Api.AddPullRequestCommits(5, ShaB);
        using var sandbox = Close(5, "main", ShaB, headRepository: "mallory/hello-world", eventName: "pull_request_target");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Removed(sandbox));
        Assert.Equal("success", Api.LatestState(10));
        Assert.Equal("success", Api.LatestState(11));
        // A fork is looked up by its pull refs and its head SHA, never by a branch name.
        Assert.DoesNotContain(Api.Requests, r => r.Query.Contains("ref=main", StringComparison.Ordinal) || r.Query.Contains("ref=refs%2Fheads%2Fmain", StringComparison.Ordinal));
        Assert.Contains(Api.Requests, r => r.Query.Contains("ref=refs%2Fpull%2F5%2Fhead", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("Environment 'preview': kept", StringComparison.Ordinal) && l.Contains("not one of the fork pull request's refs", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fork_pull_requests_own_review_app_deployed_from_its_pull_ref_is_removed()
    {
        Deployed(20, "pr6", "refs/pull/6/head", ShaB);
        Api.AddPullRequestCommits(6, ShaA, ShaB);
        using var sandbox = Close(6, "main", ShaB, headRepository: "mallory/hello-world", eventName: "pull_request_target");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["pr6"], Removed(sandbox));
        Assert.Equal("inactive", Api.LatestState(20));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_old_pull_request_reopened_and_closed_after_its_branch_name_was_reused_removes_nothing()
    {
        // Pull request 3 once used feature-x (commit ShaOld); pull request 9 reuses the name.
        Deployed(30, "pr3", "feature-x", ShaOld);
        Api.AddStatus(30, "inactive");
        Deployed(31, "pr9", "feature-x", ShaB);
        Api.AddPullRequestCommits(3, ShaOld);
        using var sandbox = Close(3, "feature-x", ShaOld);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.DoesNotContain("pr9", Removed(sandbox));
        Assert.Equal("success", Api.LatestState(31));
        Assert.Contains($"Environment 'pr9': kept, its newest deployment 31 was made from ref 'feature-x' at {ShaB}, which is not one of pull request #3's commits.", result.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_environment_whose_newest_deployment_is_an_earlier_commit_of_the_pull_request_is_removed_in_every_ref_form()
    {
        Deployed(40, "pr4", "heads/feature-y", ShaA);
        Deployed(41, "pr4-api", "refs/heads/feature-y", ShaA);
        Api.AddPullRequestCommits(4, ShaA, ShaB);
        using var sandbox = Close(4, "feature-y", ShaB);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["pr4", "pr4-api"], Removed(sandbox).Order(StringComparer.Ordinal));
        Assert.Single(Api.Requests, r => r.Path == "/repos/octocat/hello-world/pulls/4/commits" && r.Query.Contains("per_page=100", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pull_request_whose_commits_cannot_be_listed_removes_nothing_and_fails()
    {
        Deployed(50, "pr50", "feature-z", ShaA);
        using var sandbox = Close(50, "feature-z", ShaA);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Empty(Removed(sandbox));
        Assert.Equal("success", Api.LatestState(50));
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("commits of pull request #50", StringComparison.Ordinal));
    }
}
