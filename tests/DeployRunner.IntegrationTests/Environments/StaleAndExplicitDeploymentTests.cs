using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Environments;

/// <summary>Input <c>skip-superseded</c> and input <c>deployment-id</c>, through the built runner and the fake API.</summary>
public sealed class StaleAndExplicitDeploymentTests : IAsyncLifetime
{
    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task An_older_deployment_is_marked_inactive_as_superseded_and_never_runs()
    {
        _api.AddDeployment(WebhookEvents.ApiDeployment(500, "staging"));
        _api.AddDeployment(WebhookEvents.ApiDeployment(501, "staging", @ref: "newer"));
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: 500, environment: "staging"), _api)
            .Input("script", "touch deployed");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "deployed")));
        var status = Assert.Single(_api.Statuses);
        Assert.Equal((500L, "inactive", "Superseded by #501"), (status.DeploymentId, status.State, status.Description));
        Assert.Equal(2, _api.RequestsBesidesLockChecks.Count);
        Assert.Equal("inactive", sandbox.Outputs()["status"]);
        Assert.Single(_api.Requests, FakeGitHubApi.IsLockCheck);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_newest_deployment_runs()
    {
        _api.AddDeployment(WebhookEvents.ApiDeployment(499, "staging"));
        _api.AddDeployment(WebhookEvents.ApiDeployment(500, "staging"));
        _api.AddDeployment(WebhookEvents.ApiDeployment(900, "production"));
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: 500, environment: "staging"), _api)
            .Input("script", "touch deployed");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.True(File.Exists(Path.Combine(sandbox.Workspace, "deployed")));
        Assert.Equal(["in_progress", "success"], _api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_skip_superseded_false_an_older_deployment_runs_and_costs_two_requests()
    {
        _api.AddDeployment(WebhookEvents.ApiDeployment(500, "staging"));
        _api.AddDeployment(WebhookEvents.ApiDeployment(501, "staging"));
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: 500, environment: "staging"), _api)
            .Input("script", "touch deployed")
            .Input("skip-superseded", "false");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.True(File.Exists(Path.Combine(sandbox.Workspace, "deployed")));
        Assert.Equal(["in_progress", "success"], _api.States);
        Assert.Equal(2, _api.RequestsBesidesLockChecks.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_workflow_dispatch_runs_an_existing_deployment_by_id_with_its_payload()
    {
        _api.AddDeployment(WebhookEvents.ApiDeployment(4321, "qa", @ref: "v3.1.0", payload: JsonValue.Create("{\"release\":\"v3.1.0\"}")));
        var dispatch = new JsonObject
        {
            ["inputs"] = new JsonObject { ["id"] = "4321" },
            ["ref"] = "refs/heads/main",
            ["repository"] = new JsonObject { ["full_name"] = "octocat/hello-world" },
            ["workflow"] = ".github/workflows/redeploy.yml",
        };
        using var sandbox = new RunnerSandbox(dispatch.ToJsonString(), _api)
            .WithEventName("workflow_dispatch")
            .Input("deployment-id", "4321")
            .Input("script", "echo \"redeploying $DEPLOY_ENVIRONMENT $DEPLOY_REF release=$DEPLOY_PAYLOAD_RELEASE id=$DEPLOY_ID\"");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Contains("redeploying qa v3.1.0 release=v3.1.0 id=4321", result.Lines);
        Assert.Equal("/repos/octocat/hello-world/deployments/4321", _api.Requests[0].Path);
        Assert.All(_api.Statuses, s => Assert.Equal(4321, s.DeploymentId));
        Assert.Equal(["in_progress", "success"], _api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unknown_deployment_id_is_a_clear_error_and_nothing_runs()
    {
        using var sandbox = new RunnerSandbox("{\"repository\":{\"full_name\":\"octocat/hello-world\"}}", _api)
            .WithEventName("workflow_dispatch")
            .Input("deployment-id", "777000")
            .Input("script", "touch deployed");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("deployment-id", error);
        Assert.Contains("404", error);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "deployed")));
        Assert.Empty(_api.Statuses);
    }

    [Fact(Timeout = 60_000)]
    public async Task Another_event_without_a_deployment_id_is_still_refused_clearly()
    {
        // A push, a pull request and a dispatch now create their deployment; a release does not.
        using var sandbox = new RunnerSandbox("{\"action\":\"published\",\"release\":{\"tag_name\":\"v1\"},\"repository\":{\"full_name\":\"octocat/hello-world\"}}", _api)
            .WithEventName("release")
            .Input("script", "touch deployed");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("`release`", error);
        Assert.Contains("deployment-id", error);
        Assert.Empty(_api.Requests);
    }
}
