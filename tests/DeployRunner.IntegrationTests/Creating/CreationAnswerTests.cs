using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Creating;

/// <summary>
/// Every answer GitHub documents for creating a deployment has one clear outcome: one error line
/// that says why and what to do, no stack trace, nothing run, nothing left <c>in_progress</c>.
/// And the post step closes a deployment that was created but never started.
/// </summary>
public sealed class CreationAnswerTests : FakeApiTest
{
    private RunnerSandbox Sandbox(string config = "staging:\n  auto_deploy_on: refs/heads/master\n")
    {
        var sandbox = new RunnerSandbox(WebhookFixtures.Read(WebhookFixtures.Push), Api)
            .WithEventName("push")
            .Input("script", "touch ran");
        sandbox.WriteWorkspaceFile(".github/deploy.yml", config);
        return sandbox;
    }

    public static TheoryData<int, string, string, int> Answers() => new()
    {
        { 202, """{"message":"Auto-merged main into master on deployment."}""", "created no deployment", 2 },
        { 409, """{"message":"Conflict merging main into master."}""", "merge conflict", 2 },
        { 409, FakeGitHubApi.FailedChecks("master", ("build", "success"), ("ci/test", "pending"), ("lint", "failure")).ToJsonString(), "have not passed (ci/test (pending), lint (failure))", 2 },
        { 403, """{"message":"Resource not accessible by integration"}""", "`permissions: deployments: write`", 2 },
        { 404, """{"message":"Not Found"}""", "Check that the repository exists", 2 },
        { 422, """{"message":"Validation Failed","errors":[{"message":"No ref found for: 6113728"}]}""", "No ref found for: 6113728", 2 },
        { 201, """{"message":"a proxy's idea of a deployment"}""", "has no numeric `id`", 1 },
        { 201, """["not", "an", "object"]""", "not a deployment", 1 },
    };

    [WebhookFixtureTheory]
    [MemberData(nameof(Answers))]
    public async Task Each_refusal_is_one_clear_error_with_nothing_run_and_nothing_in_progress(int status, string body, string expected, int exitCode)
    {
        Api.RefuseNextCreation(status, JsonNode.Parse(body)!);
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(exitCode);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("Deployment not created", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", result.Log);
        Assert.DoesNotContain("Exception", result.Log);
        Assert.Empty(Api.Statuses);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Empty(Api.CreatedDeployments);
    }

    [WebhookFixtureFact]
    public async Task The_checks_409_says_the_jobs_own_check_is_pending_while_it_runs()
    {
        Api.RefuseNextCreation(409, FakeGitHubApi.FailedChecks("master", ("deploy", "pending")));
        using var sandbox = Sandbox("staging:\n  auto_deploy_on: refs/heads/master\n  required_contexts: [deploy]\n");

        var result = await sandbox.RunAsync();

        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("deploy (pending)", error);
        Assert.Contains("this job's own check is still pending while it runs", error);
        Assert.Equal("""["deploy"]""", Assert.Single(Api.CreationRequests)["required_contexts"]!.ToJsonString());
    }

    [WebhookFixtureFact]
    public async Task The_post_step_closes_a_deployment_created_but_not_started_when_the_main_step_was_killed()
    {
        // The main step hangs on its skip-superseded check: after creating, before in_progress.
        // per_page=1 exactly: the job-environment check before the creation asks with per_page=10.
        Api.HangAfterRecording(IsSupersededCheck);
        using var sandbox = Sandbox();
        using (var main = sandbox.Start())
        {
            await main.WaitForLineAsync(l => l.StartsWith("Created deployment ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await WaitUntilAsync(() => Api.Requests.Any(IsSupersededCheck));
            main.Signal(RunningRunner.SIGKILL);
            await main.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var created = Assert.Single(Api.CreatedDeployments)["id"]!.GetValue<long>();
        Assert.Empty(Api.Statuses);
        foreach (var (name, value) in sandbox.State()) sandbox.Environment["STATE_" + name] = value;

        var post = await sandbox.RunAsync("--post");

        post.ShouldExitWith(0);
        var status = Assert.Single(Api.Statuses);
        Assert.Equal((created, "error"), (status.DeploymentId, status.State));
        Assert.Equal("The runner stopped after creating this deployment, before it started it.", status.Description);
    }

    private static bool IsSupersededCheck(RecordedRequest request) =>
        request.Method == "GET" && request.Path.EndsWith("/deployments", StringComparison.Ordinal)
        && request.Query.TrimStart('?').Split('&').Contains("per_page=1");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 30 s.");
            await Task.Delay(20);
        }
    }
}
