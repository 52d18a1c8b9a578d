using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Faults;

/// <summary>
/// The fault-injection matrix: whatever the network, the disk or the input does, the
/// deployment ends in a terminal status (or is refused before <c>in_progress</c>) within the
/// documented time. Each test asserts the final status, the exit code, the time to exit and that
/// nothing is left behind (the runner's temp folder is the sandbox's, and must end empty).
/// </summary>
public sealed class FaultInjectionTests : FakeApiTest
{
    private static readonly TimeSpan SignalBudget = TimeSpan.FromSeconds(7);

    private RunnerSandbox Sandbox(string? eventJson = null, string script = "echo deployed")
    {
        var sandbox = new RunnerSandbox(eventJson ?? WebhookEvents.Deployment(), Api).Input("script", script).Input("skip-superseded", "false");
        sandbox.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(sandbox.Root, "tmp")).FullName;
        return sandbox;
    }

    private static void AssertNothingLeftBehind(RunnerSandbox sandbox) =>
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Environment["TMPDIR"]));

    /// <summary>Runs the post step as the Actions runner does: same inputs, the main step's GITHUB_STATE as STATE_*.</summary>
    private static async Task<RunnerResult> RunPostStepAsync(RunnerSandbox sandbox)
    {
        var variables = new Dictionary<string, string>(sandbox.Environment);
        foreach (var (name, value) in sandbox.State()) variables["STATE_" + name] = value;
        using var post = RunningRunner.Start(variables, sandbox.Workspace, ["--post"]);
        return await post.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact(Timeout = 90_000)]
    public async Task When_every_answer_to_in_progress_is_lost_nothing_runs_and_the_main_step_itself_posts_error()
    {
        Api.LoseAnswers(FakeGitHubApi.StatusPost("in_progress"), times: 5);
        using var sandbox = Sandbox(script: "touch ran");

        var clock = Stopwatch.StartNew();
        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(1);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 40);
        Assert.Equal("error", Api.LatestState(9_100_200_300));
        Assert.Contains("could not confirm `in_progress`", Api.Statuses[^1].Description);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Equal("posted:error", sandbox.State()["deployment-9100200300"]);
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task SIGINT_while_the_in_progress_request_hangs_ends_in_error_within_7_seconds()
    {
        Api.HangAfterRecording(FakeGitHubApi.StatusPost("in_progress"));
        using var sandbox = Sandbox(script: "touch ran");
        using var runner = sandbox.Start();
        await Api.WaitForStatusAsync(s => s.State == "in_progress", TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        runner.Signal(RunningRunner.SIGINT);
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(clock.Elapsed < SignalBudget, $"Took {clock.Elapsed.TotalSeconds:0.0} s.");
        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "error"], Api.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_main_step_killed_while_in_progress_is_unanswered_leaves_a_record_the_post_step_checks_and_closes()
    {
        Api.HangAfterRecording(FakeGitHubApi.StatusPost("in_progress"));
        using var sandbox = Sandbox();
        using (var runner = sandbox.Start())
        {
            await Api.WaitForStatusAsync(s => s.State == "in_progress", TimeSpan.FromSeconds(20));
            runner.Signal(RunningRunner.SIGKILL);
            await runner.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal("posting:in_progress", sandbox.State()["deployment-9100200300"]);
        var clock = Stopwatch.StartNew();
        var post = await RunPostStepAsync(sandbox);

        post.ShouldExitWith(0);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 15);
        Assert.Equal(["in_progress", "error"], Api.States);
        // It asked before it posted: a terminal status is never overwritten.
        Assert.Contains(Api.Requests, r => r.Method == "GET" && r.Path.EndsWith("/deployments/9100200300/statuses", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_state_file_on_a_full_disk_is_a_warning_and_the_deployment_still_ends_in_success()
    {
        using var sandbox = Sandbox();
        sandbox.Environment["GITHUB_STATE"] = "/dev/full";

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains(result.Lines, l => l.StartsWith("::warning::Could not write GITHUB_STATE", StringComparison.Ordinal));
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task SIGINT_while_the_final_status_waits_on_a_429_Retry_After_20_exits_within_7_seconds_and_the_post_step_closes_it()
    {
        Api.RateLimit(FakeGitHubApi.StatusPost("success"), 429, new Dictionary<string, string> { ["Retry-After"] = "20" }, "You have exceeded a secondary rate limit.");
        using var sandbox = Sandbox();
        using var runner = sandbox.Start();
        await runner.WaitForLineAsync(l => l.Contains("retrying in 20 s", StringComparison.Ordinal), TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        runner.Signal(RunningRunner.SIGINT);
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(clock.Elapsed < SignalBudget, $"Took {clock.Elapsed.TotalSeconds:0.0} s.");
        result.ShouldExitWith(1);
        Assert.Equal("posting:success", sandbox.State()["deployment-9100200300"]);
        var post = await RunPostStepAsync(sandbox);
        post.ShouldExitWith(0);
        Assert.Equal(["in_progress", "error"], Api.States);
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_primary_rate_limit_that_resets_in_an_hour_is_given_up_at_once_and_named_as_a_rate_limit()
    {
        var reset = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Api.RateLimit(FakeGitHubApi.StatusPost("in_progress"), 403,
            new Dictionary<string, string> { ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = reset }, "API rate limit exceeded for installation ID 1.");
        using var sandbox = Sandbox(script: "touch ran");

        var clock = Stopwatch.StartNew();
        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 15);
        Assert.Empty(Api.States);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("rate limit", StringComparison.Ordinal));
        Assert.DoesNotContain("deployments: write", result.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        Assert.Equal("not-started", sandbox.State()["deployment-9100200300"]);
        AssertNothingLeftBehind(sandbox);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(301)]
    [InlineData(307)]
    public async Task A_redirect_on_the_same_host_is_followed_with_the_token_and_every_request_names_the_API_version(int statusCode)
    {
        Api.Redirect(FakeGitHubApi.StatusPost("in_progress"), statusCode, request => $"{Api.BaseUrl}{request.Path}?moved=1");
        using var sandbox = Sandbox();

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        var followed = Assert.Single(Api.Requests, r => r.Query == "?moved=1");
        Assert.Equal("POST", followed.Method);
        Assert.Equal($"token {RunnerSandbox.Token}", followed.Headers["Authorization"], ignoreCase: true);
        Assert.All(Api.Requests, r => Assert.Equal("2022-11-28", r.Headers["X-GitHub-Api-Version"]));
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_redirect_to_another_host_never_carries_the_token_there()
    {
        await using var elsewhere = await FakeGitHubApi.StartAsync();
        Api.Redirect(FakeGitHubApi.StatusPost("in_progress"), 307, request => $"{elsewhere.BaseUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}{request.Path}");
        using var sandbox = Sandbox(script: "touch ran");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(1);
        var leaked = Assert.Single(elsewhere.Requests);
        Assert.False(leaked.Headers.ContainsKey("Authorization"), "The token went to another host.");
        Assert.Empty(elsewhere.States);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        AssertNothingLeftBehind(sandbox);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("1500h", "longer than the maximum of 35 days")]
    [InlineData("30", "write 30s, 30m or 30h")]
    public async Task An_absurd_or_unitless_timeout_is_a_configuration_error_posted_as_error_before_in_progress(string timeout, string message)
    {
        using var sandbox = Sandbox(script: "touch ran").Input("timeout", timeout);

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(2);
        Assert.Equal(["error"], Api.States);
        Assert.Contains(message, Api.Statuses[0].Description);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(sandbox.Workspace, "ran")));
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_payload_string_over_128_KiB_reaches_the_script_as_a_file_and_the_variable_is_left_out_with_a_warning()
    {
        var big = new string('p', 200 * 1024);
        using var sandbox = Sandbox(WebhookEvents.Deployment(payload: new JsonObject { ["big"] = big, ["small"] = "kept" }),
            script: "test -z \"${DEPLOY_PAYLOAD_BIG:-}\"; echo \"small=$DEPLOY_PAYLOAD_SMALL\"; cp \"$DEPLOY_PAYLOAD_FILE\" payload-copy.json");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains("small=kept", result.Lines);
        Assert.Equal(big, JsonNode.Parse(File.ReadAllText(Path.Combine(sandbox.Workspace, "payload-copy.json")))!["big"]!.GetValue<string>());
        Assert.Contains(result.Lines, l => l.StartsWith("::warning::Left out of the script's environment", StringComparison.Ordinal) && l.Contains("DEPLOY_PAYLOAD_BIG", StringComparison.Ordinal));
        Assert.DoesNotContain("setsid", result.Log, StringComparison.Ordinal);
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ten_thousand_payload_keys_still_start_the_script()
    {
        var payload = new JsonObject();
        for (var i = 0; i < 10_000; i++) payload[$"key{i}"] = new string('v', 200);
        using var sandbox = Sandbox(WebhookEvents.Deployment(payload: payload), script: "echo \"id=$DEPLOY_ID\"; test -s \"$DEPLOY_PAYLOAD_FILE\"");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains("id=9100200300", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("::warning::Left out of the script's environment", StringComparison.Ordinal));
        AssertNothingLeftBehind(sandbox);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_payload_nested_100_levels_deep_is_read_and_deployed()
    {
        JsonNode nested = "bottom";
        for (var i = 0; i < 100; i++) nested = new JsonObject { ["a"] = nested };
        using var sandbox = Sandbox(WebhookEvents.Deployment(payload: new JsonObject { ["deep"] = nested, ["target"] = "web" }), script: "echo \"target=$DEPLOY_PAYLOAD_TARGET\"");

        var result = await sandbox.RunAsync();

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], Api.States);
        Assert.Contains("target=web", result.Lines);
    }
}
