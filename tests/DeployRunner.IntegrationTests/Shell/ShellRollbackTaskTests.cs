
namespace DeployRunner.IntegrationTests.Shell;

/// <summary>
/// A <c>rollback</c> deployment with a handler that has no rollback of its own (shell): the
/// script runs as for any task, and the description stays the usual one, since only a handler
/// that did roll back ("Rolled back ...") may say so.
/// </summary>
public sealed class ShellRollbackTaskTests : FakeApiTest
{
    [Fact(Timeout = 60_000)]
    public async Task A_rollback_task_with_the_shell_handler_runs_the_script_and_does_not_claim_a_rollback()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "rollback", environment: "staging", @ref: "main"), Api)
            .Input("script", "printf '%s' \"$DEPLOY_TASK\" > task.txt");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Equal("rollback", File.ReadAllText(Path.Combine(sandbox.Workspace, "task.txt")));
        Assert.Equal("Rolling back staging", Api.Statuses[0].Description);
        Assert.Equal("Ran rollback for staging", Api.Statuses[^1].Description);
    }
}
