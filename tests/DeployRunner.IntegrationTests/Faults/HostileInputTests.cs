using System.Diagnostics;
using System.Text;

namespace DeployRunner.IntegrationTests.Faults;

/// <summary>
/// Hostile structure in the files the runner reads is refused fast, with one clear error, no crash,
/// and an <c>error</c> status when the deployment is already known. The time asserted includes the
/// process start; the refusal itself takes milliseconds.
/// </summary>
public sealed class HostileInputTests : FakeApiTest
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(10);

    /// <summary>The 745-byte merge-key bomb of the issue: ten levels, each merging the previous one ten times.</summary>
    private static string MergeKeyBomb()
    {
        var yaml = new StringBuilder("d0: &d0 {a: 1}\n");
        for (var i = 1; i <= 10; i++)
            yaml.Append($"d{i}: &d{i} {{<<: [{string.Join(", ", Enumerable.Repeat($"*d{i - 1}", 10))}]}}\n");
        return yaml + "staging:\n  runner:\n    <<: *d10\n";
    }

    private RunnerSandbox Sandbox(string? eventJson = null)
    {
        var sandbox = new RunnerSandbox(eventJson ?? WebhookEvents.Deployment(), Api).Input("script", "touch ran").Input("config", ".github/deploy.yml");
        sandbox.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(sandbox.Root, "tmp")).FullName;
        return sandbox;
    }

    private static async Task<(RunnerResult Result, TimeSpan Took)> RunTimedAsync(RunnerSandbox sandbox)
    {
        var clock = Stopwatch.StartNew();
        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));
        return (result, clock.Elapsed);
    }

    private static void AssertRefusedWithOneError(RunnerSandbox sandbox, RunnerResult result, TimeSpan took, string message)
    {
        result.ShouldExitWith(2);
        Assert.True(took < Quick, $"Took {took.TotalSeconds:0.0} s.");
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Environment["TMPDIR"]));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_merge_key_bomb_in_deploy_yml_is_refused_with_an_error_status()
    {
        using var sandbox = Sandbox();
        sandbox.WriteWorkspaceFile(".github/deploy.yml", MergeKeyBomb());

        var (result, took) = await RunTimedAsync(sandbox);

        AssertRefusedWithOneError(sandbox, result, took, "an alias bomb?");
        Assert.Equal(["error"], Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deploy_yml_nested_100000_levels_deep_is_refused_without_a_crash()
    {
        using var sandbox = Sandbox();
        sandbox.WriteWorkspaceFile(".github/deploy.yml", new string('[', 100_000));

        var (result, took) = await RunTimedAsync(sandbox);

        AssertRefusedWithOneError(sandbox, result, took, "nesting deeper than the limit of 100 levels");
        Assert.Equal(["error"], Api.States);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_event_file_nested_100000_levels_deep_is_refused_without_a_crash()
    {
        using var sandbox = Sandbox(new string('[', 100_000));

        var (result, took) = await RunTimedAsync(sandbox);

        AssertRefusedWithOneError(sandbox, result, took, "nests deeper than the limit of 256 levels");
        Assert.Empty(Api.States); // the deployment is not known
    }

    [Fact(Timeout = 60_000)]
    public async Task SIGINT_at_start_with_a_hostile_deploy_yml_still_exits_within_7_seconds()
    {
        using var sandbox = Sandbox();
        sandbox.WriteWorkspaceFile(".github/deploy.yml", MergeKeyBomb());
        using var runner = sandbox.Start();
        // The deployment's line comes just before deploy.yml is read: the signal lands while the
        // hostile file is being parsed, however loaded the machine is.
        await runner.WaitForLineAsync(l => l.StartsWith("Deployment ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        try { runner.Signal(RunningRunner.SIGINT); } catch (InvalidOperationException) { /* already gone: refused even faster */ }
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(7), $"Took {clock.Elapsed.TotalSeconds:0.0} s.");
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("in_progress", Api.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
    }
}
