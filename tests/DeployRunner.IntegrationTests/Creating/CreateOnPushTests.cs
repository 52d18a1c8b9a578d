using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Creating;

/// <summary>
/// The runner as its own Deliverybot, through the built runner against the fake API: a push
/// creates each matching target's deployment (exact SHA, Deliverybot's fields) and runs it in the
/// same process with the same statuses, summary and outputs as a received deployment.
/// </summary>
public sealed class CreateOnPushTests : FakeApiTest
{
    private const string PushedSha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    private const string Config = """
        staging:
          auto_deploy_on: refs/heads/master
          description: Staging at ${{ short_sha }}
          payload:
            replicas: 2
          runner:
            environment-url: https://staging.example.com
        docs:
          auto_deploy_on: "refs/heads/*"
          environment: documentation
          required_contexts: [build]
        release:
          auto_deploy_on: "refs/tags/*"
          production_environment: true
        review:
          auto_deploy_on: pr
          environment: pr${{ pr }}
          transient_environment: true
        """;

    private RunnerSandbox Sandbox(string fixture, string config = Config)
    {
        var sandbox = new RunnerSandbox(WebhookFixtures.Read(fixture), Api)
            .WithEventName(WebhookFixtures.EventName(fixture))
            .Input("script", "echo \"deploying $DEPLOY_ENVIRONMENT at $DEPLOY_SHA for target $DEPLOY_PAYLOAD_TARGET\"");
        sandbox.WriteWorkspaceFile(".github/deploy.yml", config);
        return sandbox;
    }

    private static void AssertNoStackTrace(RunnerResult result)
    {
        Assert.DoesNotContain("   at ", result.Log);
        Assert.DoesNotContain("Exception:", result.Log);
    }

    [WebhookFixtureFact]
    public async Task A_push_deploys_each_matching_target_once_in_file_order_with_the_exact_sha_and_the_statuses_of_a_received_deployment()
    {
        using var sandbox = Sandbox(WebhookFixtures.Push);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var requests = Api.CreationRequests;
        Assert.Equal(["staging", "documentation"], requests.Select(r => r["environment"]!.GetValue<string>()));
        var staging = requests[0];
        Assert.Equal(PushedSha, staging["ref"]!.GetValue<string>());
        Assert.False(staging["auto_merge"]!.GetValue<bool>());
        Assert.Equal("deploy", staging["task"]!.GetValue<string>());
        Assert.Equal("Staging at 6113728", staging["description"]!.GetValue<string>());
        Assert.False(staging["transient_environment"]!.GetValue<bool>());
        Assert.False(staging["production_environment"]!.GetValue<bool>());
        Assert.Equal("[]", staging["required_contexts"]!.ToJsonString());
        Assert.Equal(2, staging["payload"]!["replicas"]!.GetValue<int>());
        Assert.Equal("staging", staging["payload"]!["target"]!.GetValue<string>());
        Assert.Equal("777", staging["payload"]!["deliverybot_runner"]!["run_id"]!.GetValue<string>());
        Assert.Equal("""["build"]""", requests[1]["required_contexts"]!.ToJsonString());
        Assert.Equal("docs: push of refs/heads/master", requests[1]["description"]!.GetValue<string>());

        var created = Api.CreatedDeployments.Select(d => d["id"]!.GetValue<long>()).ToList();
        Assert.Equal(2, created.Count);
        foreach (var id in created)
            Assert.Equal(["in_progress", "success"], Api.Statuses.Where(s => s.DeploymentId == id).Select(s => s.State));
        Assert.Equal("https://staging.example.com", Api.Statuses.First(s => s.DeploymentId == created[0] && s.State == "success").Body["environment_url"]!.GetValue<string>());
        Assert.Contains($"deploying staging at {PushedSha} for target staging", result.Lines);
        Assert.Contains($"deploying documentation at {PushedSha} for target docs", result.Lines);
        Assert.Equal(created[1].ToString(System.Globalization.CultureInfo.InvariantCulture), sandbox.Outputs()["deployment-id"]);
        Assert.EndsWith($"/deployments/{created[1]}", sandbox.Outputs()["deployment-url"]);
        Assert.Equal("success", sandbox.Outputs()["status"]);
        var summary = sandbox.Summary();
        Assert.Contains("staging", summary);
        Assert.Contains("documentation", summary);
    }

    [WebhookFixtureFact]
    public async Task A_tag_push_deploys_the_targets_whose_auto_deploy_on_matches_tags()
    {
        using var sandbox = Sandbox(WebhookFixtures.PushTag);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal(("release", PushedSha, true), (request["environment"]!.GetValue<string>(), request["ref"]!.GetValue<string>(), request["production_environment"]!.GetValue<bool>()));
        Assert.Equal(["in_progress", "success"], Api.States);
    }

    [WebhookFixtureFact]
    public async Task A_push_that_matches_no_target_says_so_in_one_line_and_creates_nothing()
    {
        using var sandbox = Sandbox(WebhookFixtures.Push, "production:\n  auto_deploy_on: refs/heads/main\n");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Single(result.Lines, l => l.Contains("The push of refs/heads/master matches no target's `auto_deploy_on`", StringComparison.Ordinal));
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.Statuses);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("deploying", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task Input_target_deploys_that_target_on_a_push_and_without_a_deploy_yml_names_the_environment()
    {
        using var sandbox = new RunnerSandbox(WebhookFixtures.Read(WebhookFixtures.Push), Api)
            .WithEventName("push")
            .Input("target", "staging")
            .Input("script", "echo \"deploying $DEPLOY_ENVIRONMENT\"");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var request = Assert.Single(Api.CreationRequests);
        Assert.Equal(("staging", PushedSha), (request["environment"]!.GetValue<string>(), request["ref"]!.GetValue<string>()));
        Assert.Contains("deploying staging", result.Lines);
        Assert.Equal(["in_progress", "success"], Api.States);
    }

    [WebhookFixtureFact]
    public async Task A_bad_runner_block_in_the_second_target_creates_nothing_at_all()
    {
        using var sandbox = Sandbox(WebhookFixtures.Push, "staging:\n  auto_deploy_on: refs/heads/master\ndocs:\n  auto_deploy_on: refs/heads/master\n  runner:\n    handler: ssh\n");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Empty(Api.CreationRequests);
        Assert.Empty(Api.Statuses);
        AssertNoStackTrace(result);
    }

    [WebhookFixtureFact]
    public async Task A_failed_first_target_stops_the_later_ones_and_says_which()
    {
        using var sandbox = Sandbox(WebhookFixtures.Push, "staging:\n  auto_deploy_on: refs/heads/master\n  runner:\n    script: exit 3\ndocs:\n  auto_deploy_on: refs/heads/master\n");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Single(Api.CreationRequests);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Contains(result.Lines, l => l.Contains("Not created either: `docs`.", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task A_dry_run_shows_each_deployment_that_would_be_created_and_creates_nothing()
    {
        using var sandbox = Sandbox(WebhookFixtures.Push).Input("dry-run", "true");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("Would create a deployment for target `staging` (push of refs/heads/master):", result.Lines);
        Assert.Contains("Would create a deployment for target `docs` (push of refs/heads/master):", result.Lines);
        Assert.Contains($"  ref: {PushedSha}", result.Lines);
        Assert.Contains("  required_contexts: [build]", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Dry run: 2 deployment(s) would be created", StringComparison.Ordinal));
        Assert.DoesNotContain(Api.Requests, r => r.Method == "POST");
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("deploying", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task A_local_run_of_a_push_event_file_shows_the_deployments_and_creates_nothing()
    {
        using var sandbox = Sandbox(WebhookFixtures.Push);
        foreach (var name in new[] { "GITHUB_ACTIONS", "GITHUB_EVENT_PATH", "GITHUB_EVENT_NAME", "INPUT_TOKEN", "GITHUB_API_URL" }) sandbox.Environment.Remove(name);

        var result = await sandbox.RunAsync("--event", sandbox.EventPath);

        result.ShouldExitWith(0);
        Assert.Contains("Would create a deployment for target `staging` (push of refs/heads/master):", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("Running locally without a token: 2 deployment(s) would be created", StringComparison.Ordinal));
        Assert.Empty(Api.Requests);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("deploying", StringComparison.Ordinal));
    }

    [WebhookFixtureFact]
    public async Task A_job_environment_deployment_of_the_same_commit_is_named_with_the_fix()
    {
        Api.AddDeployment(new JsonObject
        {
            ["id"] = 4000,
            ["sha"] = PushedSha,
            ["ref"] = "master",
            ["task"] = "deploy",
            ["environment"] = "staging",
            ["payload"] = new JsonObject(),
            ["creator"] = new JsonObject { ["login"] = "github-actions[bot]" },
        });
        using var sandbox = Sandbox(WebhookFixtures.Push, "staging:\n  auto_deploy_on: refs/heads/master\n");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var warning = Assert.Single(result.Lines, l => l.StartsWith("::warning title=Two deployments::", StringComparison.Ordinal));
        Assert.Contains("deployment 4000", warning);
        Assert.Contains("environment: { name: staging, deployment: false }", warning);
        Assert.Single(Api.CreationRequests);
    }

    [WebhookFixtureFact]
    public async Task The_deployment_event_of_a_created_deployment_stands_down_in_the_other_workflow()
    {
        // First run: the push creates and runs the deployment.
        using (var creator = Sandbox(WebhookFixtures.Push, "staging:\n  auto_deploy_on: refs/heads/master\n"))
            (await creator.RunAsync()).ShouldExitWith(0);
        var created = Assert.Single(Api.CreatedDeployments);
        created.Remove("created_by_fake");
        var statusesBefore = Api.Statuses.Count;

        // With a PAT, GitHub also sends the deployment to an `on: deployment` workflow: another run.
        var deploymentEvent = new JsonObject { ["action"] = "created", ["deployment"] = created, ["repository"] = new JsonObject { ["full_name"] = "Codertocat/Hello-World" } };
        using var second = new RunnerSandbox(deploymentEvent.ToJsonString(), Api).Input("script", "touch ran");
        second.Environment["GITHUB_RUN_ID"] = "778";

        var result = await second.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains(result.Lines, l => l.Contains("was created by the runner in workflow run 777, which runs it itself", StringComparison.Ordinal));
        Assert.Equal(statusesBefore, Api.Statuses.Count);
        Assert.False(File.Exists(Path.Combine(second.Workspace, "ran")));
    }
}
