
namespace DeployRunner.IntegrationTests.Shell;

/// <summary>Bad input gets one clear <c>::error::</c> line, exit code 2, no stack trace, nothing run.</summary>
public sealed class BadInputTests : FakeApiTest
{
    private static void AssertOneCleanError(RunnerResult result, string expectedFragment)
    {
        result.ShouldExitWith(2);
        var errors = result.Lines.Where(l => l.StartsWith("::error", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains(expectedFragment, error);
        Assert.DoesNotContain("   at ", result.Log);
        Assert.DoesNotContain("Exception:", result.Log);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("this is not json", "not valid JSON")]
    [InlineData("[1, 2, 3]", "not a JSON object")]
    [InlineData("{\"action\": \"opened\", \"pull_request\": {\"number\": 1}}", "no `deployment` object")]
    [InlineData("{\"deployment\": {\"sha\": \"abc\", \"environment\": \"x\"}}", "no numeric `id`")]
    [InlineData("{\"deployment\": {\"id\": 12}}", "no `environment`")]
    public async Task A_malformed_event_is_refused_before_anything_runs(string eventJson, string expected)
    {
        using var sandbox = new RunnerSandbox(eventJson, Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        AssertOneCleanError(result, expected);
        Assert.Empty(Api.Requests);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_event_file_is_refused_with_how_to_fix_it()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");
        sandbox.Environment["GITHUB_EVENT_PATH"] = Path.Combine(sandbox.Root, "nope.json");

        var result = await sandbox.RunAsync();

        AssertOneCleanError(result, "Cannot read the event file");
        Assert.Empty(Api.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unknown_handler_is_a_clear_error_reported_as_an_error_status()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "ftp")
            .Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        AssertOneCleanError(result, "Unknown handler 'ftp'");
        Assert.Equal(["error"], Api.States);
        Assert.Contains("Unknown handler", Api.Statuses[0].Description);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("timeout", "soon", "Input `timeout`")]
    [InlineData("dry-run", "maybe", "Input `dry-run`")]
    [InlineData("environment-url", "not a url", "Input `environment-url`")]
    [InlineData("working-directory", "does/not/exist", "Input `working-directory`")]
    public async Task A_bad_input_value_is_a_clear_error_and_nothing_runs(string input, string value, string expected)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input(input, value)
            .Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        AssertOneCleanError(result, expected);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.DoesNotContain("in_progress", Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_empty_token_in_Actions_is_a_clear_error()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("token", "").Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        AssertOneCleanError(result, "Input `token` is empty");
        Assert.Empty(Api.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task Dry_run_prints_the_plan_and_neither_runs_nor_posts_anything()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: "prod-eu"), Api)
            .Input("dry-run", "true")
            .Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Empty(Api.RequestsBesidesLockChecks);
        Assert.Contains("Dry run: 'prod-eu' is not locked.", result.Lines);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Contains(result.Lines, l => l.StartsWith("Dry run:", StringComparison.Ordinal));
        Assert.Contains("touch ran", result.Lines);
        Assert.Contains("  DEPLOY_ENVIRONMENT=prod-eu", result.Lines);
        Assert.Equal("", File.ReadAllText(sandbox.OutputPath));
    }

    [Fact(Timeout = 60_000)]
    public async Task Outside_Actions_without_a_token_the_runner_deploys_locally_and_prints_each_status()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Example("deploy.json"));
        foreach (var name in sandbox.Environment.Keys.Where(k => k.StartsWith("GITHUB_", StringComparison.Ordinal) || k.StartsWith("ACTIONS_", StringComparison.Ordinal) || k == "CI").ToList())
            sandbox.Environment.Remove(name);
        var script = Path.Combine(WebhookEvents.ExamplesDirectory, "scripts", "deploy.sh");

        var result = await sandbox.RunAsync("--event", Path.Combine(WebhookEvents.ExamplesDirectory, "events", "deploy.json"), "--script", script, "--environment-url", "https://example.com");

        result.ShouldExitWith(0);
        Assert.Empty(Api.Requests);
        Assert.Contains("[local] deployment 4242424242 status: in_progress: Deploying main to production", result.Lines);
        Assert.Contains("[local] deployment 4242424242 status: success: Deployed main to production (https://example.com)", result.Lines);
        Assert.Contains("Release from the payload: v1.4.2", result.Lines);
        // The README's promise: no workflow-command plumbing in a local run, the example script's included.
        Assert.DoesNotContain("stop-commands", result.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task Command_line_inputs_win_over_INPUT_variables()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "echo from-env");

        var result = await sandbox.RunAsync("--script", "echo from-command-line");

        result.ShouldExitWith(0);
        Assert.Contains("from-command-line", result.Lines);
        Assert.DoesNotContain("from-env", result.Lines);
    }
}
