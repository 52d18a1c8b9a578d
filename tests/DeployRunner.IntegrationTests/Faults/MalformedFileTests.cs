namespace DeployRunner.IntegrationTests.Faults;

/// <summary>
/// Broken YAML and JSON (cut short, unclosed, duplicated keys, a loop of aliases) are configuration
/// errors of the file, with the place: one <c>::error::</c> line, exit 2, no stack trace, nothing
/// run, and an <c>error</c> status when the deployment is known. The fuzz corpus behind these is
/// in the unit tests (ReaderFuzzTests); these few go through the built runner.
/// </summary>
public sealed class MalformedFileTests : FakeApiTest
{
    private RunnerSandbox Sandbox(string? eventJson = null) =>
        new RunnerSandbox(eventJson ?? WebhookEvents.Deployment(), Api).Input("script", "touch ran").Input("skip-superseded", "false");

    private static string AssertOneLocatedError(RunnerSandbox sandbox, RunnerResult result)
    {
        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", result.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Runner fault", result.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("Operation is not valid", result.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        return error;
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unclosed_flow_list_in_deploy_yml_is_an_error_with_its_line_and_column_and_an_error_status()
    {
        using var sandbox = Sandbox();
        sandbox.WriteWorkspaceFile(".github/deploy.yml", "staging:\n  runner:\n    hosts: [a, b\n    script: x\n");

        var result = await sandbox.RunAsync();

        var error = AssertOneLocatedError(sandbox, result);
        Assert.Matches(@"\.github/deploy\.yml:\d+:\d+: the file is not valid YAML", error);
        Assert.Equal(["error"], Api.States);
        Assert.Contains(".github/deploy.yml:", Api.Statuses[^1].Description, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_alias_inside_its_own_anchor_in_deploy_yml_is_refused_instead_of_overflowing_the_stack()
    {
        using var sandbox = Sandbox();
        sandbox.WriteWorkspaceFile(".github/deploy.yml", "staging: &loop\n  environment: staging\n  runner:\n    <<: *loop\n");

        var result = await sandbox.RunAsync();

        var error = AssertOneLocatedError(sandbox, result);
        Assert.Contains(".github/deploy.yml:4:9", error, StringComparison.Ordinal);
        Assert.Contains("inside the node it names", error, StringComparison.Ordinal);
        Assert.Equal(["error"], Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_truncated_event_file_is_an_error_with_its_line_and_column()
    {
        var json = WebhookEvents.Deployment();
        using var sandbox = Sandbox(json[..(json.Length / 2)]);

        var result = await sandbox.RunAsync();

        var error = AssertOneLocatedError(sandbox, result);
        Assert.Matches(@"is not valid JSON \(line \d+, column \d+\)", error);
        Assert.Empty(Api.Statuses);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_event_with_a_key_given_twice_is_an_error_with_its_place()
    {
        var json = WebhookEvents.Deployment();
        using var sandbox = Sandbox("{\"action\": \"created\",\n \"action\": \"created\"," + json.TrimStart()[1..]);

        var result = await sandbox.RunAsync();

        var error = AssertOneLocatedError(sandbox, result);
        Assert.Contains("is not valid JSON (line 2, column 2: the key 'action' is given twice)", error, StringComparison.Ordinal);
        Assert.Empty(Api.Statuses);
    }
}
