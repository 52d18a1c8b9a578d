using System.Diagnostics;
using System.Globalization;

namespace DeployRunner.IntegrationTests.Shell;

/// <summary>Nothing lost: cancellation, time-outs and API hiccups still end in one terminal status.</summary>
public sealed class LifecycleTests : FakeApiTest
{
    private static string UniqueSleep() =>
        $"29{Random.Shared.Next(1000, 9999)}.{Random.Shared.Next(100, 999)}".ToString(CultureInfo.InvariantCulture);

    [Theory(Timeout = 60_000)]
    [InlineData(RunningRunner.SIGINT)]
    [InlineData(RunningRunner.SIGTERM)]
    public async Task A_signal_during_a_long_script_stops_its_process_tree_and_posts_error_within_7_seconds(int signal)
    {
        var marker = UniqueSleep();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("script", $"sleep {marker} &\nbash -c 'sleep {marker}; echo never' &\necho started\nsleep {marker}");
        using var runner = sandbox.Start();
        await runner.WaitForLineAsync(l => l == "started", TimeSpan.FromSeconds(20));
        await Api.WaitForStatusAsync(s => s.State == "in_progress", TimeSpan.FromSeconds(10));
        Assert.True(Processes.WithCommandLineContaining(marker).Count >= 3, "The script's processes should be running before the signal.");

        var clock = Stopwatch.StartNew();
        runner.Signal(signal);
        var terminal = await Api.WaitForStatusAsync(s => s.State != "in_progress", TimeSpan.FromSeconds(7));
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(7));
        var stoppedWithin = clock.Elapsed;

        Assert.Equal("error", terminal.State);
        Assert.Contains("cancelled", terminal.Description, StringComparison.OrdinalIgnoreCase);
        Assert.True(stoppedWithin < TimeSpan.FromSeconds(7), $"Took {stoppedWithin.TotalSeconds:0.0} s to stop.");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(["in_progress", "error"], Api.States);
        Assert.Empty(await Processes.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(2)));
        Assert.Equal("error", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deployment_past_its_timeout_is_stopped_and_ends_in_error()
    {
        var marker = UniqueSleep();
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api)
            .Input("timeout", "2s")
            .Input("script", $"echo started; sleep {marker}");

        var clock = Stopwatch.StartNew();
        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(1);
        Assert.InRange(clock.Elapsed.TotalSeconds, 2, 15);
        Assert.Equal(["in_progress", "error"], Api.States);
        Assert.Contains("timed out", Api.Statuses[1].Description);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("timed out"));
        Assert.Empty(await Processes.WaitUntilGoneAsync(marker, TimeSpan.FromSeconds(2)));
    }

    [Fact(Timeout = 60_000)]
    public async Task Server_errors_are_retried_and_the_deployment_still_reports()
    {
        Api.FailNext(502, count: 2);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "true");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        // Two failed attempts (of the lock check), then the lock check, the skip-superseded list and the two statuses.
        Assert.Equal(6, Api.Requests.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_429_with_Retry_After_is_honoured()
    {
        Api.FailNext(429, headers: new Dictionary<string, string> { ["Retry-After"] = "2" });
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "true");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        var requests = Api.Requests;
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1.9), $"Retried after {(requests[1].At - requests[0].At).TotalSeconds:0.00} s");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_secondary_rate_limit_403_is_retried_but_a_permission_403_is_not()
    {
        Api.FailNext(403, headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
        using (var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "true"))
        {
            (await sandbox.RunAsync()).ShouldExitWith(0);
            Assert.Equal(["in_progress", "success"], Api.States);
        }

        // A permission 403 (no rate-limit headers, GitHub's message for a missing permission) on in_progress.
        Api.RateLimit(FakeGitHubApi.StatusPost("in_progress"), 403, new Dictionary<string, string>(), "Resource not accessible by integration");
        using var denied = new RunnerSandbox(WebhookEvents.Deployment(id: 5), Api).Input("script", "touch ran");
        var before = Api.Requests.Count;
        var result = await denied.RunAsync();

        result.ShouldExitWith(1);
        // The lock check, the skip-superseded list, then in_progress once: not retried.
        Assert.Equal(3, Api.Requests.Count - before);
        Assert.Equal(1, Api.Requests.Skip(before).Count(FakeGitHubApi.StatusPost("in_progress")));
        Assert.False(File.Exists(Path.Combine(denied.Workspace, "ran")), "The script must not run when in_progress could not be posted.");
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("deployments: write", error);
    }

    [Fact(Timeout = 90_000)]
    public async Task When_GitHub_keeps_failing_the_runner_gives_up_in_bounded_time_and_says_so()
    {
        Api.FailNext(500, count: 100);
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), Api).Input("script", "touch ran");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(80));

        result.ShouldExitWith(1);
        Assert.InRange(Api.Requests.Count, 2, 6);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("500"));
    }

    [Fact(Timeout = 60_000)]
    public async Task GitHub_Enterprise_Server_base_addresses_keep_theirApi_v3_path()
    {
        await using var ghes = await FakeGitHubApi.StartAsync("/api/v3");
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), ghes).Input("script", "true");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], ghes.States);
        Assert.All(ghes.Requests, r => Assert.StartsWith("/api/v3/repos/", r.Path));
    }
}
