using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Creating;

/// <summary>
/// Review apps per pull request (created for the head commit, torn down on close), forks and
/// Dependabot told in one line, the "Deploy" button (workflow_dispatch), and events the runner
/// does not deploy from, over the real webhook payloads.
/// </summary>
public sealed class CreateOnPullRequestAndDispatchTests : FakeApiTest
{
    private const string HeadSha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private const string RunSha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private const string Config = """
        production:
          production_environment: true
          required_contexts: []
        review:
          auto_deploy_on: pr
          environment: pr${{ pr }}
          transient_environment: true
          payload:
            release: review-${{ pr }}
          runner:
            remove-script: echo "tearing down $DEPLOY_ENVIRONMENT"
        """;

    private RunnerSandbox Sandbox(string eventJson, string eventName)
    {
        var sandbox = new RunnerSandbox(eventJson, Api)
            .WithEventName(eventName)
            .Input("script", "echo \"deploying $DEPLOY_ENVIRONMENT at $DEPLOY_SHA\"");
        sandbox.Environment["GITHUB_SHA"] = RunSha;
        sandbox.WriteWorkspaceFile(".github/deploy.yml", Config);
        return sandbox;
    }

    private RunnerSandbox Fixture(string name) => Sandbox(WebhookFixtures.Read(name), WebhookFixtures.EventName(name));

    [WebhookFixtureTheory]
    [InlineData(WebhookFixtures.PullRequestOpened)]
    [InlineData(WebhookFixtures.PullRequestSynchronize)]
    public async Task A_pull_request_opened_or_updated_deploys_its_review_app_for_the_head_commit(string fixture)
    {
        using var sandbox = Fixture(fixture);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal((HeadSha, "pr2", true, false), (request["ref"]!.GetValue<string>(), request["environment"]!.GetValue<string>(), request["transient_environment"]!.GetValue<bool>(), request["production_environment"]!.GetValue<bool>()));
        Assert.Equal(2, request["payload"]!["pr"]!.GetValue<int>());
        Assert.Equal("review-2", request["payload"]!["release"]!.GetValue<string>());
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains($"deploying pr2 at {HeadSha}", result.Lines);
    }

    [WebhookFixtureFact]
    public async Task The_review_app_created_on_open_is_torn_down_when_the_pull_request_closes()
    {
        using (var opened = Fixture(WebhookFixtures.PullRequestOpened))
            (await opened.RunAsync()).ShouldExitWith(0);
        var created = Assert.Single(Api.CreatedDeployments)["id"]!.GetValue<long>();
        Api.AddPullRequestCommits(2, HeadSha);

        using var closed = Fixture(WebhookFixtures.PullRequestClosed);
        var result = await closed.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("tearing down pr2", result.Lines);
        Assert.Equal("inactive", Api.LatestState(created));
        Assert.Single(Api.CreationRequests);
    }

    [WebhookFixtureTheory]
    [InlineData("fork")]
    [InlineData("dependabot")]
    public async Task A_pull_request_from_a_fork_or_Dependabot_says_so_in_one_line_and_does_nothing(string origin)
    {
        var payload = WebhookFixtures.Json(WebhookFixtures.PullRequestOpened);
        if (origin == "fork") payload["pull_request"]!["head"]!["repo"]!["full_name"] = "someone/Hello-World";
        else payload["pull_request"]!["user"]!["login"] = "dependabot[bot]";
        using var sandbox = Sandbox(payload.ToJsonString(), "pull_request").Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Single(result.Lines, l => l.Contains(origin == "fork" ? "comes from a fork" : "comes from Dependabot", StringComparison.Ordinal) && l.Contains("read-only token and no secrets", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Empty(Api.Requests);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [WebhookFixtureFact]
    public async Task A_dispatch_deploys_the_target_input_names_at_the_commit_the_run_is_on()
    {
        using var sandbox = Fixture(WebhookFixtures.WorkflowDispatch).Input("target", "production");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal((RunSha, "production", true), (request["ref"]!.GetValue<string>(), request["environment"]!.GetValue<string>(), request["production_environment"]!.GetValue<bool>()));
        Assert.Equal("production: workflow_dispatch of refs/heads/main", request["description"]!.GetValue<string>());
        Assert.Equal(["in_progress", "success"], Api.States);
    }

    [WebhookFixtureFact]
    public async Task A_dispatch_with_input_ref_deploys_that_refs_commit()
    {
        const string TagSha = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        Api.AddCommit("v1.2.0", TagSha);
        using var sandbox = Fixture(WebhookFixtures.WorkflowDispatch).Input("target", "production").Input("ref", "v1.2.0");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(TagSha, Assert.Single(Api.CreationRequests)["ref"]!.GetValue<string>());
        Assert.Contains(Api.Requests, r => r.Method == "GET" && r.Path.EndsWith("/commits/v1.2.0", StringComparison.Ordinal));
    }

    [WebhookFixtureTheory]
    [InlineData("prodution", "did you mean 'production'?")]
    [InlineData("", "needs", "it is empty")]
    public async Task A_dispatch_naming_an_unknown_or_no_target_creates_nothing_and_says_which_exist(string target, string expected, string? alsoExpected = null)
    {
        using var sandbox = Fixture(WebhookFixtures.WorkflowDispatch).Input("target", target);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(alsoExpected ?? expected, error);
        Assert.Contains("production, review", error);
        Assert.Empty(Api.Requests);
    }

    [WebhookFixtureTheory]
    [InlineData("main..evil")]
    [InlineData("-x")]
    [InlineData("a\\b")]
    [InlineData("a b")]
    public async Task A_hostile_ref_input_is_refused_before_any_request(string gitRef)
    {
        using var sandbox = Fixture(WebhookFixtures.WorkflowDispatch).Input("target", "production").Input("ref", gitRef);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Contains("Input `ref` must be a branch, tag or commit SHA", Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal)));
        Assert.Empty(Api.Requests);
    }

    /// <summary>Every real webhook payload we have gets a clear outcome: a deployment, a teardown, or one line that says why not.</summary>
    [WebhookFixtureFact]
    public async Task Every_webhook_fixture_has_a_clear_outcome_without_a_stack_trace()
    {
        Api.AddPullRequestCommits(2, HeadSha);
        foreach (var file in Directory.GetFiles(WebhookFixtures.Directory!, "*.json").Order())
        {
            var name = Path.GetFileName(file);
            using var sandbox = Fixture(name).Input("target", name.Contains("dispatch", StringComparison.Ordinal) ? "production" : "");

            var result = await sandbox.RunAsync();

            Assert.True(result.ExitCode is 0 or 2, $"{name}: exit {result.ExitCode}\n{result.Log}");
            Assert.DoesNotContain("   at ", result.Log);
            Assert.True(result.ExitCode == 0 || result.Lines.Count(l => l.StartsWith("::error", StringComparison.Ordinal)) == 1, $"{name}: {result.Log}");
        }
    }
}
