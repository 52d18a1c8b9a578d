
namespace DeployRunner.IntegrationTests.FirstHour;

/// <summary>Prerequisites checked up front, and the smaller messages a new user meets.</summary>
public sealed class MessagesTests : FakeApiTest
{
    [Fact(Timeout = 60_000)]
    public async Task Without_setsid_on_PATH_the_shell_handler_stops_with_a_clear_message_naming_util_linux()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");
        var bin = Directory.CreateDirectory(Path.Combine(sandbox.Root, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "bash"), "/bin/bash");
        sandbox.Environment["PATH"] = bin;

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = LocalRun.SingleError(result);
        Assert.Contains("`setsid`", error);
        Assert.Contains("util-linux", error);
        Assert.DoesNotContain("Win32Exception", result.Log);
        Assert.DoesNotContain("in_progress", Api.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_mistyped_event_path_is_one_sentence_without_a_double_full_stop()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync("--event", Path.Combine(sandbox.Root, "evnet.json"));

        result.ShouldExitWith(2);
        var error = LocalRun.SingleError(result);
        Assert.Contains("Cannot read the event file", error);
        Assert.DoesNotContain("..", error.Replace(sandbox.Root, "", StringComparison.Ordinal));
        Assert.Empty(Api.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_tab_in_deploy_yml_is_reported_where_it_is()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");
        sandbox.WriteWorkspaceFile(".github/deploy.yml", "staging:\n  environment: staging\nproduction:\n\tenvironment: production\n");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = LocalRun.SingleError(result);
        Assert.Contains(".github/deploy.yml:4:1", error);
        Assert.Contains("tab", error);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("./missing.sh", 127, "./deploy.sh")]
    [InlineData("./not-executable.sh", 126, "chmod +x")]
    public async Task Exit_codes_127_and_126_come_with_a_hint(string script, int code, string hint)
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", script);
        sandbox.WriteWorkspaceFile("not-executable.sh", "#!/bin/bash\necho hi\n");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.Contains($"exited with code {code}", LocalRun.SingleError(result));
        Assert.Contains(hint, LocalRun.SingleError(result));
        Assert.Equal(["in_progress", "failure"], Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_ssh_handler_reports_every_input_problem_at_once()
    {
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("handler", "ssh")
            .Input("script", "touch ran")
            .Input("ssh-port", "99999")
            .Input("connect-timeout", "soon")
            .Input("fail-fast", "maybe");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        var error = LocalRun.SingleError(result);
        foreach (var problem in new[] { "`ssh-port`", "`hosts`", "`ssh-key`", "`connect-timeout`", "`fail-fast`", "problems" })
            Assert.Contains(problem, error);
        Assert.DoesNotContain("in_progress", Api.States);
    }
}
