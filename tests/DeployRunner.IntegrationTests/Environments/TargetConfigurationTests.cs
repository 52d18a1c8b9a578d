using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Environments;

/// <summary>
/// Per-target settings from <c>.github/deploy.yml</c> and the precedence rules, through the
/// built runner: inputs, then the target's <c>runner:</c> block, then the payload for the
/// settings <c>payload-overrides</c> lists.
/// </summary>
public sealed class TargetConfigurationTests : IAsyncLifetime
{
    private const string Config = """
        production:
          environment: production
          production_environment: true
          runner:
            script: echo "production script"
            environment-url: https://www.example.com
        review:
          environment: pr${{ pr }}
          transient_environment: true
          required_contexts: []
          runner:
            script: echo "review script for $DEPLOY_ENVIRONMENT"
            environment-url: https://{environment}.review.example.com/{payload.pr}
            timeout: 10m
        """;

    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private RunnerSandbox Sandbox(string environment, JsonObject? payload, string config = Config)
    {
        var sandbox = new RunnerSandbox(WebhookEvents.Deployment(environment: environment, payload: payload, transient: environment.StartsWith("pr", StringComparison.Ordinal)), _api)
            .Input("script", "echo \"input script\"")
            .Input("environment-url", "https://input.example.com")
            .Input("config", ".github/deploy.yml");
        sandbox.WriteWorkspaceFile(".github/deploy.yml", config);
        return sandbox;
    }

    private string EnvironmentUrlPosted() => _api.Statuses.Last().Body["environment_url"]!.GetValue<string>();

    [Fact(Timeout = 60_000)]
    public async Task The_target_named_in_the_payload_overrides_the_inputs_and_fills_in_placeholders()
    {
        using var sandbox = Sandbox("pr17", new JsonObject { ["target"] = "review", ["pr"] = 17 });

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("review script for pr17", result.Lines);
        Assert.DoesNotContain("input script", result.Lines);
        Assert.Equal("https://pr17.review.example.com/17", EnvironmentUrlPosted());
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_payload_target_the_target_is_found_by_its_environment()
    {
        using var sandbox = Sandbox("production", payload: null);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("production script", result.Lines);
        Assert.Equal("https://www.example.com", EnvironmentUrlPosted());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deployment_no_target_matches_runs_with_the_inputs_alone()
    {
        using var sandbox = Sandbox("staging", payload: null);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("input script", result.Lines);
        Assert.Equal("https://input.example.com", EnvironmentUrlPosted());
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_a_config_file_the_inputs_alone_apply()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(payload: new JsonObject { ["target"] = "review" }), _api)
            .Input("config", ".github/deploy.yml")
            .Input("script", "echo \"input script {environment}\"")
            .Input("environment-url", "https://{environment}.example.com/{sha}");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        // Placeholders in input settings are filled in, but never inside a script.
        Assert.Contains("input script {environment}", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("::warning", StringComparison.Ordinal) && l.Contains("{environment}", StringComparison.Ordinal));
        Assert.Equal("https://staging.example.com/a5c3785ed8d6a35868bc169f07e40e889087fd2e", EnvironmentUrlPosted());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_payload_value_overrides_a_setting_only_when_payload_overrides_lists_it()
    {
        var payload = new JsonObject { ["target"] = "review", ["pr"] = 17, ["environment-url"] = "https://custom.example.com", ["script"] = "touch PWNED" };
        using var allowed = Sandbox("pr17", payload).Input("payload-overrides", "environment-url");

        var result = await allowed.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal("https://custom.example.com", EnvironmentUrlPosted());
        // `script` is not listed: the payload cannot replace it.
        Assert.Contains("review script for pr17", result.Lines);
        Assert.False(File.Exists(Path.Combine(allowed.Workspace, "PWNED")));
        Assert.Contains(result.Lines, l => l.StartsWith("::warning", StringComparison.Ordinal) && l.Contains("`script`", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task By_default_the_payload_overrides_nothing()
    {
        var payload = new JsonObject { ["target"] = "review", ["pr"] = 17, ["environment-url"] = "https://custom.example.com", ["script"] = "touch PWNED" };
        using var sandbox = Sandbox("pr17", payload);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal("https://pr17.review.example.com/17", EnvironmentUrlPosted());
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "PWNED")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_secret_in_the_file_is_refused_with_its_line_before_anything_runs()
    {
        const string config = """
            production:
              runner:
                script: touch deployed
                ssh-key: |
                  -----BEGIN OPENSSH PRIVATE KEY-----
            """;
        using var sandbox = Sandbox("production", payload: null, config);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(".github/deploy.yml:4:5", error);
        Assert.Contains("`ssh-key` is a secret", error);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "deployed")));
        Assert.Equal(["error"], _api.States);
        Assert.DoesNotContain("BEGIN OPENSSH", _api.Statuses[0].Description);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("production:\n  runner:\n    scirpt: echo typo\n", ".github/deploy.yml:3:5", "unknown setting `scirpt`")]
    [InlineData("production:\n  runner:\n    timeout: soon\n", ".github/deploy.yml:3:14", "`timeout` must be a duration")]
    [InlineData("production:\n  runner:\n    handler: ftp\n", ".github/deploy.yml:3:14", "unknown handler 'ftp'")]
    [InlineData("production:\n  runner:\n    script: [a, b]\n", ".github/deploy.yml:3:13", "`script` takes a single value")]
    [InlineData("production:\n  runner: [handler]\n", ".github/deploy.yml:2:11", "`runner` of target `production` must be a mapping")]
    [InlineData("production:\n  runner:\n    script: 'unclosed\n", ".github/deploy.yml:", "not valid YAML")]
    public async Task A_bad_config_file_is_reported_with_file_line_and_column_and_nothing_runs(string config, string location, string message)
    {
        using var sandbox = Sandbox("production", payload: null, config);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(location, error);
        Assert.Contains(message, error);
        Assert.DoesNotContain("in_progress", _api.States);
        Assert.DoesNotContain(result.Lines, l => l.Contains("input script", StringComparison.Ordinal));
    }
}
