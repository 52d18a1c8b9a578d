using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// <c>on: pull_request: types: [closed]</c>: the built runner finds the pull request's review
/// apps through the (fake) deployments API and tears them down with the shell handler.
/// </summary>
public sealed class ReviewAppTeardownTests : IAsyncLifetime
{
    private const string Branch = "feature/login";
    private const string HeadSha = "feedfacefeedfacefeedfacefeedfacefeedface";
    private const string RemoveScript = "echo \"$DEPLOY_ENVIRONMENT id=$DEPLOY_ID task=$DEPLOY_TASK target=$DEPLOY_PAYLOAD_TARGET\" >> removed.txt";

    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    /// <summary>
    /// Two review apps of pull request #17 (each deployed twice, under every form of the ref),
    /// a production deployment made from the same branch, and other pull requests' apps.
    /// </summary>
    private void AddPullRequestDeployments()
    {
        var review = new JsonObject { ["target"] = "review", ["pr"] = 17 };
        _api.AddDeployment(WebhookEvents.ApiDeployment(101, "pr17", @ref: Branch, sha: "1111111111111111111111111111111111111111", transient: true, payload: review));
        _api.AddDeployment(WebhookEvents.ApiDeployment(102, "pr17-api", @ref: $"refs/heads/{Branch}", sha: "1111111111111111111111111111111111111111", transient: true));
        _api.AddDeployment(WebhookEvents.ApiDeployment(103, "production", @ref: Branch, sha: "1111111111111111111111111111111111111111", production: true));
        _api.AddDeployment(WebhookEvents.ApiDeployment(104, "pr17", @ref: HeadSha, sha: HeadSha, transient: true, payload: review.DeepClone()));
        _api.AddDeployment(WebhookEvents.ApiDeployment(105, "pr17-api", @ref: $"heads/{Branch}", sha: HeadSha, transient: true));
        _api.AddDeployment(WebhookEvents.ApiDeployment(106, "pr18", @ref: "feature/other", sha: "2222222222222222222222222222222222222222", transient: true));
        _api.AddDeployment(WebhookEvents.ApiDeployment(107, "staging", @ref: "main", sha: "3333333333333333333333333333333333333333"));
        foreach (var id in new long[] { 101, 102, 103, 104, 106, 107 }) _api.AddStatus(id, "success");
        _api.AddStatus(105, "failure");
        _api.AddPullRequestCommits(17, "1111111111111111111111111111111111111111", HeadSha);
    }

    private RunnerSandbox Sandbox(string action = "closed") =>
        new RunnerSandbox(WebhookEvents.PullRequest(17, Branch, HeadSha, action), _api)
            .Input("script", "echo wrong-script >> removed.txt")
            .Input("remove-script", RemoveScript)
            .WithEventName("pull_request");

    [Fact(Timeout = 60_000)]
    public async Task A_closed_pull_request_removes_its_two_review_apps_and_leaves_production_alone()
    {
        AddPullRequestDeployments();
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        // The newest deployment of each environment is the removal's context.
        Assert.Equal(["pr17-api id=105 task=remove target=", "pr17 id=104 task=remove target=review"], ReadLines(sandbox, "removed.txt"));
        foreach (var id in new long[] { 101, 102, 104, 105 })
            Assert.Equal("inactive", _api.LatestState(id));
        Assert.Equal("success", _api.LatestState(103));
        Assert.Equal("success", _api.LatestState(106));
        Assert.DoesNotContain(_api.Statuses, s => s.DeploymentId is 103 or 106 or 107 && s.Body["log_url"] is not null);
        Assert.Equal(["in_progress", "inactive"], StatesPostedOn(104));
        Assert.Equal("Removed pr17", _api.Statuses.Last(s => s.DeploymentId == 104).Description);
        Assert.Equal("Removed pr17 (pull request #17 closed)", _api.Statuses.Last(s => s.DeploymentId == 101).Description);
        Assert.Equal("inactive", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Teardown_costs_four_lookups_plus_two_k_plus_two_requests_per_environment_of_k_deployments()
    {
        AddPullRequestDeployments();
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var requests = _api.Requests;
        var lookups = requests.Where(r => r is { Method: "GET", Path: "/repos/octocat/hello-world/deployments" } && !r.Query.Contains("environment=")).ToList();
        Assert.Equal(4, lookups.Count);
        Assert.Contains(lookups, r => r.Query.Contains("ref=feature%2Flogin"));
        Assert.Contains(lookups, r => r.Query.Contains("ref=heads%2Ffeature%2Flogin"));
        Assert.Contains(lookups, r => r.Query.Contains("ref=refs%2Fheads%2Ffeature%2Flogin"));
        Assert.Contains(lookups, r => r.Query.Contains("sha=" + HeadSha));
        Assert.Single(requests, r => r is { Method: "GET", Path: "/repos/octocat/hello-world/pulls/17/commits" });
        Assert.All(requests.Where(r => r.Method == "GET" && !FakeGitHubApi.IsLockCheck(r)), r => Assert.Contains("per_page=", r.Query));
        // Two environments of k = 2 deployments: 4 + 1 (the commits) + 2 * (2k + 2 + 1 lock check) = 19.
        Assert.Equal(19, requests.Count);
        Assert.Equal(2, requests.Count(FakeGitHubApi.IsLockCheck));
    }

    [Fact(Timeout = 60_000)]
    public async Task Closing_again_finds_everything_removed_and_runs_nothing()
    {
        AddPullRequestDeployments();
        using (var first = Sandbox())
            (await first.RunAsync()).ShouldExitWith(0);
        var statusesAfterFirst = _api.Statuses.Count;
        _api.ClearRequests();

        using var second = Sandbox();
        var result = await second.RunAsync();

        result.ShouldExitWith(0);
        Assert.False(File.Exists(Path.Combine(second.Workspace, "removed.txt")));
        Assert.Equal(statusesAfterFirst, _api.Statuses.Count);
        Assert.Contains(result.Lines, l => l.Contains("was already removed", StringComparison.Ordinal));
        // A repeated close: 4 lookups + the commits + (1 + k) per environment.
        Assert.Equal(4 + 1 + 2 * 3, _api.Requests.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task When_Deliverybot_marked_the_apps_inactive_first_the_runner_still_removes_them_without_posting_twice()
    {
        AddPullRequestDeployments();
        foreach (var id in new long[] { 101, 102, 104, 105 }) _api.AddStatus(id, "inactive");
        var before = _api.Statuses.Count;
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(2, ReadLines(sandbox, "removed.txt").Count);
        // Only the removal's own in_progress and inactive on each newest deployment.
        Assert.Equal(before + 4, _api.Statuses.Count);
        Assert.Equal(["in_progress", "inactive"], StatesPostedOn(104));
        Assert.Equal(["in_progress", "inactive"], StatesPostedOn(105));
        Assert.Empty(StatesPostedOn(101));
        Assert.All(new long[] { 101, 102, 104, 105 }, id => Assert.Equal("inactive", _api.LatestState(id)));
    }

    [Fact(Timeout = 60_000)]
    public async Task After_a_remove_deployment_did_the_work_closing_only_marks_the_rest_inactive()
    {
        _api.AddDeployment(WebhookEvents.ApiDeployment(201, "pr9", @ref: "fix/typo", sha: HeadSha, transient: true));
        _api.AddStatus(201, "success");
        _api.AddPullRequestCommits(9, HeadSha);
        using (var remove = new RunnerSandbox(WebhookEvents.Deployment(id: 202, task: "remove", environment: "pr9", @ref: "fix/typo", sha: HeadSha, transient: true), _api)
                   .Input("remove-script", RemoveScript))
        {
            _api.AddDeployment(WebhookEvents.ApiDeployment(202, "pr9", @ref: "fix/typo", sha: HeadSha, task: "remove", transient: true));
            (await remove.RunAsync()).ShouldExitWith(0);
        }

        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(9, "fix/typo", HeadSha), _api)
            .Input("remove-script", RemoveScript)
            .WithEventName("pull_request");
        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "removed.txt")));
        Assert.Equal("inactive", _api.LatestState(201));
        Assert.Equal("inactive", _api.LatestState(202));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_environment_last_deployed_from_another_branch_is_left_alone()
    {
        _api.AddDeployment(WebhookEvents.ApiDeployment(301, "shared-review", @ref: Branch, sha: HeadSha, transient: true));
        _api.AddDeployment(WebhookEvents.ApiDeployment(302, "shared-review", @ref: "feature/someone-else", sha: "4444444444444444444444444444444444444444", transient: true));
        _api.AddStatus(301, "success");
        _api.AddStatus(302, "success");
        _api.AddPullRequestCommits(17, HeadSha);
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "removed.txt")));
        Assert.Equal("success", _api.LatestState(301));
        Assert.Equal("success", _api.LatestState(302));
        Assert.Contains(result.Lines, l => l.Contains("Environment 'shared-review': kept, its newest deployment 302 was made from ref 'feature/someone-else'", StringComparison.Ordinal));
    }

    [Fact(Timeout = 90_000)]
    public async Task Every_page_of_a_long_history_is_read_and_every_deployment_ends_inactive()
    {
        for (var id = 1; id <= 130; id++)
        {
            _api.AddDeployment(WebhookEvents.ApiDeployment(1000 + id, "pr17", @ref: Branch, sha: "5555555555555555555555555555555555555555", transient: true));
            // Most were closed earlier: statuses go out a second apart (GitHub's pacing), and
            // paging needs the 130 deployments, not 130 seconds of posts.
            _api.AddStatus(1000 + id, id <= 120 ? "inactive" : "success");
        }

        _api.AddPullRequestCommits(17, "5555555555555555555555555555555555555555");

        using var sandbox = Sandbox();
        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(80));

        result.ShouldExitWith(0);
        Assert.Equal(["pr17 id=1130 task=remove target="], ReadLines(sandbox, "removed.txt"));
        Assert.All(Enumerable.Range(1001, 130), id => Assert.Equal("inactive", _api.LatestState(id)));
        Assert.Contains(_api.Requests, r => r.Query.Contains("page=2"));
    }

    [Fact(Timeout = 90_000)]
    public async Task On_GitHub_Enterprise_Server_every_list_page_keeps_the_api_v3_path()
    {
        await using var ghes = await FakeGitHubApi.StartAsync("/api/v3");
        for (var id = 1; id <= 105; id++)
        {
            ghes.AddDeployment(WebhookEvents.ApiDeployment(2000 + id, "pr17", @ref: $"refs/heads/{Branch}", sha: HeadSha, transient: true));
            // Statuses go out a second apart (GitHub's pacing): most were closed earlier.
            if (id <= 100) ghes.AddStatus(2000 + id, "inactive");
        }
        ghes.AddPullRequestCommits(17, HeadSha);
        using var sandbox = new RunnerSandbox(WebhookEvents.PullRequest(17, Branch, HeadSha), ghes)
            .Input("remove-script", RemoveScript)
            .WithEventName("pull_request");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(80));

        result.ShouldExitWith(0);
        Assert.All(ghes.Requests, r => Assert.StartsWith("/api/v3/repos/octocat/hello-world/", r.Path));
        Assert.Contains(ghes.Requests, r => r.Query.Contains("page=2"));
        Assert.All(Enumerable.Range(2001, 105), id => Assert.Equal("inactive", ghes.LatestState(id)));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_next_page_on_another_server_is_not_followed_so_the_token_stays_with_the_API()
    {
        for (var id = 1; id <= 101; id++)
            _api.AddDeployment(WebhookEvents.ApiDeployment(3000 + id, "pr17", @ref: Branch, sha: HeadSha, transient: true));
        _api.NextLinkAuthority = "127.0.0.2:9";
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("another server (http://127.0.0.2:9)", error);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "removed.txt")));
        Assert.Empty(_api.Statuses);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_of_a_close_posts_nothing_and_runs_nothing()
    {
        AddPullRequestDeployments();
        using var sandbox = Sandbox().Input("dry-run", "true");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "removed.txt")));
        Assert.Empty(_api.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failed_removal_ends_in_failure_and_leaves_the_other_deployments_as_they_were()
    {
        AddPullRequestDeployments();
        using var sandbox = Sandbox().Input("remove-script", "echo cannot; exit 4");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Equal("failure", _api.LatestState(104));
        Assert.Equal("success", _api.LatestState(101));
        Assert.Equal("failure", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_a_teardown_ends_the_running_removal_in_error_and_starts_no_other()
    {
        AddPullRequestDeployments();
        using var sandbox = Sandbox().Input("remove-script", "echo \"removing $DEPLOY_ENVIRONMENT\"; sleep 30");
        using var runner = sandbox.Start();
        await runner.WaitForLineAsync(l => l == "removing pr17-api", TimeSpan.FromSeconds(30));

        runner.Signal(RunningRunner.SIGINT);
        var stopped = DateTime.UtcNow;
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(15));

        result.ShouldExitWith(1);
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(7), "The runner must stop within 7 seconds of SIGINT.");
        Assert.Equal("error", _api.LatestState(105));
        Assert.Equal("success", _api.LatestState(104));
        Assert.DoesNotContain("removing pr17", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("not torn down", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_pull_request_event_that_neither_deploys_nor_closes_is_refused_with_a_hint()
    {
        AddPullRequestDeployments();
        using var sandbox = Sandbox(action: "labeled");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("types: [opened, synchronize, reopened, closed]", error);
        Assert.Empty(_api.Requests);
    }

    private List<string> StatesPostedOn(long id) =>
        _api.Statuses.Where(s => s.DeploymentId == id && s.Body["log_url"] is not null).Select(s => s.State).ToList();

    private static List<string> ReadLines(RunnerSandbox sandbox, string file) =>
        File.ReadAllLines(Path.Combine(sandbox.Workspace, file)).ToList();
}
