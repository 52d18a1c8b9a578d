namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// A deployment made from a bare SHA names a commit, not a pull request: stacked pull requests
/// and forks share commits. It counts for a closing pull request only in an environment whose
/// history names that pull request (a deployment from its ref at one of its commits, none from
/// another ref). The built runner against the fake GitHub API; the remove-script records what
/// was torn down.
/// </summary>
public sealed class SharedCommitTeardownTests : TeardownTest
{
    private const string ShaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ShaC = "cccccccccccccccccccccccccccccccccccccccc";

    /// <summary>
    /// #18 is stacked on #17 (its branch starts from feature-17). #17's review app was last
    /// deployed from the SHA that is #18's head commit.
    /// </summary>
    private void StackedPullRequests()
    {
        Deployed(171, "pr17", "feature-17", ShaA);
        Deployed(181, "pr18", "feature-18", ShaC);
        Deployed(172, "pr17", ShaC, ShaC);
        Api.AddPullRequestCommits(17, ShaA, ShaC);
        Api.AddPullRequestCommits(18, ShaA, ShaC);
    }

    [Fact(Timeout = 60_000)]
    public async Task Closing_a_stacked_pull_request_leaves_the_review_app_of_the_one_below_alone_though_its_newest_deployment_is_the_shared_head_sha()
    {
        StackedPullRequests();
        using var sandbox = Close(18, "feature-18", ShaC);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["pr18"], Removed(sandbox));
        Assert.Equal("success", Api.LatestState(172));
        Assert.Equal("success", Api.LatestState(171));
        Assert.Contains($"Environment 'pr17': kept, its newest deployment 172 was made from ref '{ShaC}' at {ShaC}, a bare SHA, and deployment 171 of the environment was made from ref 'feature-17', which is not pull request #18's: a SHA does not say which pull request it belongs to.", result.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_pull_request_whose_environment_it_is_still_removes_it_when_its_newest_deployment_is_a_bare_sha()
    {
        StackedPullRequests();
        using var sandbox = Close(17, "feature-17", ShaC);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["pr17"], Removed(sandbox));
        Assert.Equal("inactive", Api.LatestState(172));
        Assert.Equal("inactive", Api.LatestState(171));
        Assert.Equal("success", Api.LatestState(181));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_fork_pull_request_sharing_a_head_commit_removes_no_review_app_deployed_from_that_sha()
    {
        StackedPullRequests();
        // Only ever deployed from the SHA: nothing ties it to any pull request.
        Deployed(190, "sha-preview", ShaC, ShaC);
        Api.AddPullRequestCommits(20, ShaA, ShaC);
        using var sandbox = Close(20, "main", ShaC, headRepository: "mallory/hello-world", eventName: "pull_request_target");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Removed(sandbox));
        Assert.All(new long[] { 171, 172, 181, 190 }, id => Assert.Equal("success", Api.LatestState(id)));
        Assert.Contains(result.Lines, l => l.StartsWith("Environment 'sha-preview': kept", StringComparison.Ordinal) && l.Contains("no deployment of the environment was made from pull request #20's ref", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_abbreviated_sha_ref_is_a_bare_sha_too()
    {
        Deployed(181, "pr18", "feature-18", ShaC);
        Deployed(171, "pr17", "feature-17", ShaA);
        Deployed(172, "pr17", ShaC[..7], ShaC);
        Api.AddPullRequestCommits(18, ShaA, ShaC);
        using var sandbox = Close(18, "feature-18", ShaC);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["pr18"], Removed(sandbox));
        Assert.Equal("success", Api.LatestState(172));
    }

    /// <summary>
    /// Review apps the runner created itself (ref = the head SHA, payload <c>pr</c> beside the
    /// runner's mark) for two stacked pull requests whose head commit is the same: each close
    /// removes its own app, found by the payload's number, and never the other's.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData(17, "pr17", "pr18")]
    [InlineData(18, "pr18", "pr17")]
    public async Task A_review_app_the_runner_created_from_a_shared_sha_is_removed_only_by_the_pull_request_it_was_created_for(int closing, string removed, string kept)
    {
        foreach (var (id, number) in new[] { (301L, 17), (302L, 18) })
        {
            var payload = new System.Text.Json.Nodes.JsonObject { ["target"] = "review", ["pr"] = number, ["deliverybot_runner"] = new System.Text.Json.Nodes.JsonObject { ["run_id"] = "1", ["run_attempt"] = "1" } };
            Api.AddDeployment(WebhookEvents.ApiDeployment(id, $"pr{number}", @ref: ShaC, sha: ShaC, transient: true, payload: payload));
            Api.AddStatus(id, "success");
        }

        Api.AddPullRequestCommits(17, ShaA, ShaC);
        Api.AddPullRequestCommits(18, ShaA, ShaC);
        using var sandbox = Close(closing, $"feature-{closing}", ShaC);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal([removed], Removed(sandbox));
        Assert.Equal("success", Api.LatestState(closing == 17 ? 302 : 301));
        Assert.Contains(result.Lines, l => l.StartsWith($"Environment '{kept}': kept", StringComparison.Ordinal) && l.Contains($"created by the runner for pull request #{(closing == 17 ? 18 : 17)}, not #{closing}", StringComparison.Ordinal));
    }
}
