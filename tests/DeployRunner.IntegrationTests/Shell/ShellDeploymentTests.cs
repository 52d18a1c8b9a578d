using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Shell;

/// <summary>The built runner, started as the Actions runner starts it, against a fake GitHub API on loopback.</summary>
public sealed class ShellDeploymentTests : FakeApiTest
{
    [Fact(Timeout = 60_000)]
    public async Task I_can_deploy_with_a_script_and_see_in_progress_then_success_with_the_environment_url()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: "staging", @ref: "main"), Api)
            .Input("script", "echo \"deploying $DEPLOY_REF to $DEPLOY_ENVIRONMENT\"")
            .Input("environment-url", "https://staging.example.com");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        // Four requests when nothing goes wrong: the environment's lock branch (404, no lock), the
        // newest deployment of the environment (skip-superseded, per_page=1), in_progress, success.
        Assert.Equal(4, Api.Requests.Count);
        Assert.Equal(("GET", "/repos/octocat/hello-world/git/ref/heads/deploy-lock/staging"), (Api.Requests[0].Method, Api.Requests[0].Path));
        Assert.Equal(("GET", "/repos/octocat/hello-world/deployments"), (Api.Requests[1].Method, Api.Requests[1].Path));
        Assert.Contains("per_page=1", Api.Requests[1].Query);
        Assert.Contains("environment=staging", Api.Requests[1].Query);
        var success = Api.Statuses[1].Body;
        Assert.Equal("https://staging.example.com", success["environment_url"]!.GetValue<string>());
        Assert.Equal("https://github.com/octocat/hello-world/actions/runs/777", success["log_url"]!.GetValue<string>());
        Assert.Equal("Deploying main to staging", Api.Statuses[0].Description);
        Assert.Equal("/repos/octocat/hello-world/deployments/9100200300/statuses", Api.Requests[2].Path);
        Assert.Contains("deploying main to staging", result.Lines);

        var outputs = sandbox.Outputs();
        Assert.Equal("success", outputs["status"]);
        Assert.Equal("9100200300", outputs["deployment-id"]);
        Assert.Equal("https://staging.example.com", outputs["environment-url"]);
        var summary = sandbox.Summary();
        Assert.Contains("| Environment | staging |", summary);
        Assert.Contains("| SHA | `a5c3785` |", summary);
        Assert.Contains("<https://staging.example.com>", summary);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_script_ends_in_failure_with_its_exit_code_and_one_error_annotation()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "echo before; exit 3; echo after");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.Contains("exit", Api.Statuses[1].Description);
        Assert.Contains("3", Api.Statuses[1].Description);
        Assert.DoesNotContain("after", result.Lines);
        var errors = result.Lines.Where(l => l.StartsWith("::error", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains("exited with code 3", errors[0]);
        Assert.Equal("failure", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_script_fails_on_the_first_failing_command_of_a_pipeline()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "false | cat\necho should-not-run");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.DoesNotContain("should-not-run", result.Lines);
        Assert.Equal(["in_progress", "failure"], Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remove_deployment_runs_the_remove_script_and_ends_inactive()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Example("remove-review-app.json"), Api)
            .Input("script", "echo wrong-script")
            .Input("remove-script", "echo \"tearing down $DEPLOY_ENVIRONMENT transient=$DEPLOY_TRANSIENT\"");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "inactive"], Api.States);
        Assert.Contains("tearing down pr17 transient=true", result.Lines);
        Assert.DoesNotContain("wrong-script", result.Lines);
        Assert.Equal("inactive", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remove_without_a_remove_script_only_marks_the_environment_inactive()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", environment: "pr5", transient: true), Api)
            .Input("script", "touch deploy-ran");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "inactive"], Api.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "deploy-ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_custom_task_runs_the_script_with_the_task_name()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Example("string-payload.json"), Api)
            .Input("script", "echo \"task=$DEPLOY_TASK target=$DEPLOY_PAYLOAD_TARGET migrate=$DEPLOY_PAYLOAD_MIGRATE\"");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("task=deploy:migrations target=staging migrate=true", result.Lines);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.StartsWith("Running deploy:migrations for v2.0.0", Api.Statuses[0].Description);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_plain_string_payload_reaches_the_script_unchanged()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(payload: JsonValue.Create("just some text {not json")), Api)
            .Input("script", "printf '%s' \"$DEPLOY_PAYLOAD\" > payload.txt");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal("just some text {not json", File.ReadAllText(Path.Combine(sandbox.Workspace, "payload.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Hostile_deployment_values_reach_the_script_byte_for_byte_and_are_never_executed()
    {
        const string hostileRef = "x';touch PWNED;'";
        const string hostileValue = "$(touch PWNED2) `touch PWNED3` \"quoted\" 'single'\nsecond line ::error::injected";
        var payload = new JsonObject { ["target"] = hostileValue, ["weird key!"] = "ok" };
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(@ref: hostileRef, payload: payload, description: "::set-output name=x::pwned\n::error::fake"), Api)
            .Input("script", "printf '%s' \"$DEPLOY_REF\" > ref.txt; printf '%s' \"$DEPLOY_PAYLOAD_TARGET\" > target.txt; printf '%s' \"$DEPLOY_PAYLOAD_WEIRD_KEY_\" > weird.txt");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(hostileRef, File.ReadAllText(Path.Combine(sandbox.Workspace, "ref.txt")));
        Assert.Equal(hostileValue, File.ReadAllText(Path.Combine(sandbox.Workspace, "target.txt")));
        Assert.Equal("ok", File.ReadAllText(Path.Combine(sandbox.Workspace, "weird.txt")));
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "PWNED")));
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "PWNED2")));
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "PWNED3")));
        WorkflowLogAssert.NoUntrustedCommands(result.Lines, "::set-output name=x::pwned", "::error::injected", "::error::fake");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_hostile_task_name_cannot_issue_workflow_commands_through_the_runners_own_lines(string dryRun)
    {
        const string task = "deploy:x\n::error::task-injected ##[error]legacy-injected";
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: task), Api)
            .Input("dry-run", dryRun)
            .Input("script", "printf '%s' \"$DEPLOY_TASK\" > task.txt");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        WorkflowLogAssert.NoUntrustedCommands(result.Lines, "::error::task-injected");
        // The runner tries a line as a `::command::` first and looks for a legacy `##[command]`
        // anywhere in it only when that fails: outside stopped blocks, no plain line may carry one.
        WorkflowLogAssert.NoUntrustedCommands(
            result.Lines.Select(l => !l.StartsWith("::", StringComparison.Ordinal) && l.Contains("##[", StringComparison.Ordinal) ? "##[" + l : l).ToList(), "##[");
        if (dryRun == "false") Assert.Equal(task, File.ReadAllText(Path.Combine(sandbox.Workspace, "task.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Runner_secrets_never_reach_the_script()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "env > env.txt")
            .Input("working-directory", ".");
        sandbox.Environment["GITHUB_TOKEN"] = "ghs_should_not_leak_either";

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        var env = File.ReadAllText(Path.Combine(sandbox.Workspace, "env.txt"));
        Assert.DoesNotContain(RunnerSandbox.Token, env);
        Assert.DoesNotContain("INPUT_", env);
        Assert.DoesNotContain("ACTIONS_", env);
        Assert.DoesNotContain("runtime-token-must-not-leak", env);
        Assert.DoesNotContain("ghs_should_not_leak_either", env);
        Assert.Contains("DEPLOY_ID=9100200300", env);
        Assert.Contains("GITHUB_REPOSITORY=octocat/hello-world", env);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_token_is_masked_before_anything_else_is_printed()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "echo \"$HOME\"");

        var result = await sandbox.RunAsync();

        Assert.Equal("::add-mask::" + RunnerSandbox.Token, result.Lines[0]);
        Assert.Single(result.Log.Split(RunnerSandbox.Token)[1..]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Scripts_run_in_the_working_directory()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("working-directory", "app/web")
            .Input("script", "pwd > where.txt");
        Directory.CreateDirectory(Path.Combine(sandbox.Workspace, "app", "web"));

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(Path.Combine(sandbox.Workspace, "app", "web"), File.ReadAllText(Path.Combine(sandbox.Workspace, "app", "web", "where.txt")).Trim());
    }

    [Fact(Timeout = 60_000)]
    public async Task Script_output_streams_line_by_line_while_the_script_runs()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", "echo first-line; sleep 3; echo second-line");
        using var runner = sandbox.Start();

        await runner.WaitForLineAsync(l => l == "first-line", TimeSpan.FromSeconds(20));

        Assert.DoesNotContain("second-line", runner.Lines);
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(30));
        result.ShouldExitWith(0);
        Assert.Contains("second-line", result.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task Long_refs_environments_and_errors_still_give_descriptions_within_140_characters()
    {
        var longRef = "feature/" + new string('r', 300);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(@ref: longRef, environment: "env-" + new string('e', 200)), Api)
            .Input("script", "exit 7");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], Api.States);
        Assert.All(Api.Statuses, s => Assert.InRange(s.Description!.Length, 1, 140));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_example_from_the_quick_start_deploys()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Example("deploy.json"), Api)
            .Input("script", Path.Combine(WebhookEvents.ExamplesDirectory, "scripts", "deploy.sh"))
            .Input("environment-url", "https://example.com");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("Release from the payload: v1.4.2", result.Lines);
        // In Actions the script stops workflow commands around the values a deployment chose.
        Assert.Contains(result.Lines, l => l.StartsWith("::stop-commands::", StringComparison.Ordinal));
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Equal(4242424242, Api.Statuses[0].DeploymentId);
    }
}
