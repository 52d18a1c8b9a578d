namespace DeployRunner.IntegrationTests.Faults;

/// <summary>
/// A superseded deployment is never started: when its `inactive` cannot be posted, the post
/// step must not close it with `error` (there is nothing in progress to close).
/// </summary>
public sealed class SupersededPostStepTests : FakeApiTest
{
    [Theory(Timeout = 120_000)]
    [InlineData(AnswerFault.ServerError)]
    [InlineData(AnswerFault.MalformedJson)]
    public async Task A_superseded_deployment_whose_inactive_was_not_confirmed_gets_no_error_from_the_post_step(AnswerFault fault)
    {
        Api.AddDeployment(WebhookEvents.ApiDeployment(500, "staging"));
        Api.AddDeployment(WebhookEvents.ApiDeployment(600, "staging"));
        Api.BreakAnswers(FakeGitHubApi.StatusPost("inactive", 500), fault, times: 5);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: 500, environment: "staging"), Api).Input("script", "touch ran");

        var main = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        main.ShouldExitWith(1);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        var variables = new Dictionary<string, string>(sandbox.Environment);
        foreach (var (name, value) in sandbox.State()) variables["STATE_" + name] = value;
        using var postRunner = RunningRunner.Start(variables, sandbox.Workspace, ["--post"]);
        var post = await postRunner.WaitAsync(TimeSpan.FromSeconds(60));

        post.ShouldExitWith(0);
        Assert.DoesNotContain(Api.Statuses, s => s.DeploymentId == 500 && s.State == "error");
        Assert.Contains(post.Lines, l => l.Contains("deployment 500 was not run", StringComparison.Ordinal));
    }
}
