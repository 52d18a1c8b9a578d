using System.Text.Json.Nodes;
using DeployRunner.IntegrationTests.Creating;

namespace DeployRunner.IntegrationTests.Locking;

/// <summary>
/// A locked environment through the built runner, on every path a deployment reaches it: a
/// <c>deployment</c> event from any creator, input <c>deployment-id</c>, a push, a pull request,
/// a dispatch, a removal and a closed pull request's teardown.
/// </summary>
public sealed class LockEnforcementTests : FakeApiTest
{
    private const string Marker = "SCRIPT-RAN";

    private const string Config = """
        staging:
          auto_deploy_on: refs/heads/master
        docs:
          auto_deploy_on: "refs/heads/*"
          environment: documentation
        production:
          production_environment: true
        review:
          auto_deploy_on: pr
          environment: pr${{ pr }}
          transient_environment: true
          runner:
            remove-script: echo "tearing down $DEPLOY_ENVIRONMENT"
        """;

    private void Lock(string environment, string owner, string? reason = "release 1.2 in progress", DateTimeOffset? expires = null) =>
        Api.PlantLock("deploy-lock/" + environment.ToLowerInvariant(), new JsonObject
        {
            ["environment"] = environment,
            ["owner"] = owner,
            ["reason"] = reason,
            ["created_at"] = DateTimeOffset.UtcNow.AddHours(-2).AddMinutes(-5).AddSeconds(-20).ToString("O"),
            ["expires_at"] = (expires ?? DateTimeOffset.UtcNow.AddHours(1).AddMinutes(1)).ToString("O"),
        }.ToJsonString());

    private static string DeploymentBy(string creator, string environment = "staging", JsonObject? payload = null, string task = "deploy", bool transient = false)
    {
        var root = JsonNode.Parse(WebhookEvents.Deployment(environment: environment, payload: payload, task: task, transient: transient))!.AsObject();
        root["deployment"]!["creator"] = new JsonObject { ["login"] = creator };
        return root.ToJsonString();
    }

    private RunnerSandbox Sandbox(string eventJson, string eventName = "deployment")
    {
        var sandbox = new RunnerSandbox(eventJson, Api).WithEventName(eventName)
            .Input("skip-superseded", "false")
            .Input("script", $"echo {Marker} $DEPLOY_ENVIRONMENT");
        sandbox.Environment["GITHUB_SHA"] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        sandbox.WriteWorkspaceFile(".github/deploy.yml", Config);
        return sandbox;
    }

    private void AssertRefusedBeforeStart(RunnerResult result, string owner = "alice")
    {
        result.ShouldExitWith(2);
        Assert.DoesNotContain(result.Lines, l => l.Contains(Marker, StringComparison.Ordinal));
        var status = Assert.Single(Api.Statuses);
        Assert.Equal("error", status.State);
        Assert.Contains($"Environment locked by @{owner} 2h 5m ago: release 1.2 in progress (expires in 1h", status.Description, StringComparison.Ordinal);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("title=Environment locked", error, StringComparison.Ordinal);
        Assert.Contains($"Ask @{owner} to unlock it", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Log, StringComparison.Ordinal);
    }

    /// <summary>Bob's deployment to staging, refused with one <c>error</c> status and one error line (returned).</summary>
    private async Task<string> RefusedWithOneErrorAsync(int exit, string description)
    {
        using var sandbox = Sandbox(DeploymentBy("bob"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(exit);
        Assert.Equal(["error"], Api.States);
        Assert.Contains(description, Api.Statuses[0].Description, StringComparison.Ordinal);
        return Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deployment_event_to_an_environment_someone_else_locked_is_refused_before_in_progress()
    {
        Lock("staging", "alice");
        using var sandbox = Sandbox(DeploymentBy("bob"));

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeStart(result);
        Assert.Contains("Deployment 9100200300 to 'staging' by @bob refused", result.Log, StringComparison.Ordinal);
        Assert.Equal("error", sandbox.Outputs()["status"]);
        Assert.Contains("was not started", sandbox.Summary(), StringComparison.Ordinal);
        // A check reads, never writes: the lock is still there.
        Assert.Single(Api.GitRefs);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_lock_owners_own_deployment_goes_ahead()
    {
        Lock("Staging", "alice");
        using var sandbox = Sandbox(DeploymentBy("Alice"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains($"{Marker} staging", result.Lines);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains(result.Lines, l => l.Contains("this deployment is @alice's own, so it goes ahead", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deployment_to_an_unlocked_environment_asks_once_and_deploys()
    {
        Lock("production", "alice");
        using var sandbox = Sandbox(DeploymentBy("bob"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        var check = Assert.Single(Api.Requests, r => r.Path.Contains("/git/", StringComparison.Ordinal));
        Assert.Equal(("GET", "/repos/octocat/hello-world/git/ref/heads/deploy-lock/staging"), (check.Method, check.Path));
        Assert.True(check.At < Api.Requests.First(r => r.Method == "POST").At);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_removal_of_a_locked_environment_is_refused_the_same_way()
    {
        Lock("staging", "alice");
        using var sandbox = Sandbox(DeploymentBy("bob", task: "remove", transient: true));
        sandbox.Input("remove-script", $"echo {Marker} removing");

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeStart(result);
    }

    [Fact(Timeout = 60_000)]
    public async Task Input_deployment_id_is_checked_against_the_lock_too()
    {
        Lock("staging", "alice");
        var deployment = WebhookEvents.ApiDeployment(4321, "staging");
        deployment["creator"] = new JsonObject { ["login"] = "bob" };
        Api.AddDeployment(deployment);
        using var sandbox = Sandbox("{\"repository\":{\"full_name\":\"octocat/hello-world\"}}", "workflow_dispatch").Input("deployment-id", "4321");

        var result = await sandbox.RunAsync();

        AssertRefusedBeforeStart(result);
        Assert.Equal(4321, Assert.Single(Api.Statuses).DeploymentId);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("github-actions[bot]", "alice", 0)]
    [InlineData("mallory", "alice", 2)]
    [InlineData("github-actions[bot]", "bob", 2)]
    public async Task A_runner_created_deployment_belongs_to_the_actor_in_its_mark_only_when_a_bot_created_it(string creator, string markActor, int exit)
    {
        Lock("staging", "alice");
        var deployment = WebhookEvents.ApiDeployment(4321, "staging", payload: new JsonObject
        {
            ["deliverybot_runner"] = new JsonObject { ["run_id"] = "555", ["run_attempt"] = "1", ["actor"] = markActor },
        });
        deployment["creator"] = new JsonObject { ["login"] = creator };
        Api.AddDeployment(deployment);
        using var sandbox = Sandbox("{\"repository\":{\"full_name\":\"octocat/hello-world\"}}", "workflow_dispatch").Input("deployment-id", "4321");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(exit);
        Assert.Equal(exit == 0 ? ["in_progress", "success"] : ["error"], Api.States);
    }

    [WebhookFixtureFact]
    public async Task A_push_does_not_deploy_over_a_lock_it_warns_creates_nothing_there_and_stays_green()
    {
        Lock("staging", "alice");
        using var sandbox = Sandbox(WebhookFixtures.Read(WebhookFixtures.Push), "push");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["documentation"], Api.CreationRequests.Select(r => r["environment"]!.GetValue<string>()));
        var warning = Assert.Single(result.Lines, l => l.StartsWith("::warning title=Environment locked::", StringComparison.Ordinal));
        Assert.Contains("Target `staging` not deployed: Environment locked by @alice 2h 5m ago: release 1.2 in progress", warning, StringComparison.Ordinal);
        Assert.Contains("no deployment was created", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.DoesNotContain($"{Marker} staging", result.Lines);
        Assert.Contains($"{Marker} documentation", result.Lines);
    }

    [WebhookFixtureFact]
    public async Task A_push_by_the_lock_owner_deploys_and_the_mark_names_the_actor()
    {
        // The fixture's sender; GITHUB_ACTOR wins over it.
        Lock("staging", "Codertocat");
        using var sandbox = Sandbox(WebhookFixtures.Read(WebhookFixtures.Push), "push");
        sandbox.Environment["GITHUB_ACTOR"] = "codertocat";

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["staging", "documentation"], Api.CreationRequests.Select(r => r["environment"]!.GetValue<string>()));
        Assert.All(Api.CreationRequests, r => Assert.Equal("codertocat", r["payload"]!["deliverybot_runner"]!["actor"]!.GetValue<string>()));
        Assert.Contains($"{Marker} staging", result.Lines);
    }

    [WebhookFixtureFact]
    public async Task A_pull_request_does_not_deploy_its_review_app_over_a_lock()
    {
        Lock("pr2", "alice");
        using var sandbox = Sandbox(WebhookFixtures.Read(WebhookFixtures.PullRequestOpened), "pull_request");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.Statuses);
        Assert.Single(result.Lines, l => l.StartsWith("::warning title=Environment locked::Target `review` not deployed", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task A_dispatch_to_a_locked_environment_creates_the_deployment_and_refuses_it_with_an_error_status()
    {
        Lock("production", "alice");
        using var sandbox = Sandbox(WebhookFixtures.Read(WebhookFixtures.WorkflowDispatch), "workflow_dispatch").Input("target", "production");

        var result = await sandbox.RunAsync();

        var created = Assert.Single(Api.CreatedDeployments)["id"]!.GetValue<long>();
        Assert.Equal("octocat", Api.CreationRequests[0]["payload"]!["deliverybot_runner"]!["actor"]!.GetValue<string>());
        AssertRefusedBeforeStart(result);
        Assert.Equal(created, Api.Statuses[0].DeploymentId);
    }

    [WebhookFixtureFact]
    public async Task A_dispatch_by_the_lock_owner_deploys()
    {
        Lock("production", "octocat");
        using var sandbox = Sandbox(WebhookFixtures.Read(WebhookFixtures.WorkflowDispatch), "workflow_dispatch").Input("target", "production");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
    }

    [WebhookFixtureFact]
    public async Task A_closed_pull_request_leaves_a_locked_review_app_running_and_says_whose_lock()
    {
        using (var opened = Sandbox(WebhookFixtures.Read(WebhookFixtures.PullRequestOpened), "pull_request"))
            (await opened.RunAsync()).ShouldExitWith(0);
        var created = Assert.Single(Api.CreatedDeployments)["id"]!.GetValue<long>();
        Api.AddPullRequestCommits(2, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
        Lock("pr2", "alice");

        using var closed = Sandbox(WebhookFixtures.Read(WebhookFixtures.PullRequestClosed), "pull_request");
        var result = await closed.RunAsync();

        result.ShouldExitWith(1);
        Assert.DoesNotContain("tearing down pr2", result.Lines);
        Assert.Equal("success", Api.LatestState(created));
        Assert.Contains(result.Lines, l => l.StartsWith("::error title=Environment locked::Removing 'pr2' (pull request closed by @Codertocat) refused: Environment locked by @alice", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_expired_lock_is_ignored_and_its_branch_removed()
    {
        Lock("staging", "alice", expires: DateTimeOffset.UtcNow.AddMinutes(-1));
        using var sandbox = Sandbox(DeploymentBy("bob"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Empty(Api.GitRefs);
        Assert.Contains(result.Lines, l => l.Contains("Removed the expired lock of 'staging'", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_malformed_lock_json_blocks_as_a_lock_of_unknown_and_says_what_to_delete()
    {
        Api.PlantLock("deploy-lock/staging", "{ this is not json");

        var error = await RefusedWithOneErrorAsync(2, "unreadable lock");

        Assert.Contains("lock.json on deploy-lock/staging is not JSON", error, StringComparison.Ordinal);
        Assert.Contains("Delete the branch deploy-lock/staging", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_contents_read_the_deployment_is_refused_and_the_error_names_the_permission()
    {
        Api.ContentsPermission = "none";

        var error = await RefusedWithOneErrorAsync(1, "lock could not be checked");

        Assert.Contains("`permissions: contents: read`", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was started", error, StringComparison.Ordinal);
    }

    [WebhookFixtureFact]
    public async Task A_push_whose_lock_check_fails_creates_nothing_and_fails()
    {
        Api.ContentsPermission = "none";
        using var sandbox = Sandbox(WebhookFixtures.Read(WebhookFixtures.Push), "push");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Empty(Api.CreationRequests);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("No deployment was created", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_says_whether_the_environment_is_locked()
    {
        Lock("staging", "alice");
        using var sandbox = Sandbox(DeploymentBy("bob")).Input("dry-run", "true");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.Statuses);
        Assert.Contains(result.Lines, l => l.StartsWith("Dry run: Environment locked by @alice 2h 5m ago: release 1.2 in progress", StringComparison.Ordinal) && l.Contains("a real run would be refused (the deployment is @bob's)", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task Lock_text_reaches_the_log_escaped_never_as_a_workflow_command()
    {
        Lock("staging", "alice", reason: "x\n::error::injected %0A::warning::also");
        using var sandbox = Sandbox(DeploymentBy("bob"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error::injected", StringComparison.Ordinal) || l.StartsWith("::warning::also", StringComparison.Ordinal));
        Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
    }
}
