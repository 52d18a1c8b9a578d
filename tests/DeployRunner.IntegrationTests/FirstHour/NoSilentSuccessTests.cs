
namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>Nothing that did nothing is called success; a typo on the command line never runs.</summary>
public sealed class NoSilentSuccessTests : FakeApiTest
{
    [Theory(Timeout = 60_000)]
    [InlineData("shell")]
    [InlineData("ssh")]
    public async Task A_deployment_without_a_script_is_a_configuration_error_not_a_success(string handler)
    {
        var (key, publicKey) = LocalRun.NewSshKey();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("handler", handler);
        if (handler == "ssh")
            sandbox.Input("hosts", "deploy@web1.example.com").Input("ssh-key", key).Input("ssh-known-hosts", "web1.example.com " + publicKey);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Contains("Input `script` is empty", LocalRun.SingleError(result));
        Assert.Equal(["error"], Api.States);
        Assert.DoesNotContain("success", Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_mistyped_flag_is_refused_with_a_did_you_mean_and_nothing_runs()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync("--scirpt", "touch typo-ran");

        result.ShouldExitWith(2);
        Assert.Contains("Unknown option --scirpt: did you mean --script?", LocalRun.SingleError(result));
        Assert.Empty(Api.Requests);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "typo-ran")));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--script")]
    [InlineData("--script", "--dry-run")]
    [InlineData("--hosts=")]
    public async Task A_flag_without_its_value_is_refused(params string[] arguments)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync(arguments);

        result.ShouldExitWith(2);
        Assert.Matches("--(script|hosts) needs a value", LocalRun.SingleError(result));
        Assert.Empty(Api.Requests);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bare_switch_means_true()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync("--dry-run");

        result.ShouldExitWith(0);
        Assert.Contains(result.Lines, l => l.StartsWith("Dry run:", StringComparison.Ordinal));
        Assert.Empty(Api.RequestsBesidesLockChecks);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--task", "remove")]
    [InlineData("--environment", "production")]
    public async Task Flags_for_what_the_event_decides_are_refused_with_how_to_change_it(string flag, string value)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync(flag, value);

        result.ShouldExitWith(2);
        var error = LocalRun.SingleError(result);
        Assert.Contains("the deployment event decides", error);
        Assert.Contains("--event", error);
        Assert.Empty(Api.Requests);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_removal_without_a_remove_script_says_it_only_marks_the_environment_inactive_and_opens_no_empty_group()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(task: "remove", environment: "pr-7", transient: true), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "inactive"], Api.States);
        Assert.Contains(result.Lines, l => l.Contains("Input `remove-script` is empty: nothing was run; the environment is only marked inactive", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::group::", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }
}
