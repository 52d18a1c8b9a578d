
namespace DeployRunner.IntegrationTests.Shell;

/// <summary>
/// Release inputs given where they mean nothing, or incomplete for this deployment, are refused
/// before <c>in_progress</c> with one line and nothing run (the shell handler: a script that
/// would leave a mark).
/// </summary>
public sealed class ReleaseInputsElsewhereTests : FakeApiTest
{
    [Theory(Timeout = 60_000)]
    [InlineData("atomic", "true", "Input `atomic` is read by the kubectl handler only; the shell handler would ignore it.")]
    [InlineData("health-check-url", "{environment-url}/up", "Input `health-check-url` uses {environment-url}, but this deployment has no environment URL")]
    [InlineData("health-check-url", "https://{host}/up", "Input `health-check-url` uses {host}, which only the ssh handler fills in")]
    public async Task A_release_input_that_the_shell_handler_cannot_honour_is_refused_before_anything_runs(string input, string value, string expected)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran").Input(input, value);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(2);
        Assert.Contains(expected, Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal)));
        Assert.Equal(["error"], Api.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Atomic_false_which_the_actions_runner_always_passes_is_accepted_by_the_shell_handler()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran").Input("atomic", "false");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(0);
        Assert.True(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_removal_does_not_need_the_environment_url_its_health_check_would_use()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", transient: true), Api)
            .Input("script", "true").Input("remove-script", "touch removed").Input("health-check-url", "{environment-url}/up");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(0);
        Assert.True(File.Exists(Path.Combine(sandbox.Workspace, "removed")));
    }
}
