using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using DeployRunner.ContainerTests.Infrastructure;

namespace DeployRunner.ContainerTests;

/// <summary>
/// The Native AOT binary (what the image ships) posts exactly the right bodies. Trimmed, Octokit's
/// own reflection serializer would post <c>{}</c>; these tests compare every field of every state
/// the runner posts with what the statuses API expects (PLATFORM.md §3).
/// </summary>
public sealed class AotStatusBodyTests
{
    private const string StatusesPath = "/repos/octocat/hello-world/deployments/4242424242/statuses";

    private static JsonObject Body(string state, string description, string? environmentUrl = null)
    {
        var body = new JsonObject { ["state"] = state, ["description"] = description, ["log_url"] = RunnerLayout.LogUrl };
        if (environmentUrl is not null) body["environment_url"] = environmentUrl;
        return body;
    }

    [Fact(Timeout = 60_000)]
    public async Task A_successful_deploy_posts_in_progress_then_success_with_every_field_right()
    {
        var (result, api, _) = await RunAsync(RunnerLayout.DeployEvent(), new() { ["script"] = "echo ok", ["environment-url"] = "https://hello.example.com" });

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        AssertBodies(api,
            Body("in_progress", "Deploying main to production"),
            Body("success", "Deployed main to production", "https://hello.example.com"));
        // Before in_progress, two reads: is the environment locked (its lock branch; 404, none), and
        // is there a newer deployment to this environment (skip-superseded)?
        Assert.Equal(
            [("GET", "/repos/octocat/hello-world/git/ref/heads/deploy-lock/production"), ("GET", "/repos/octocat/hello-world/deployments"), ("POST", StatusesPath), ("POST", StatusesPath)],
            api.Requests.Select(r => (r.Method, r.Path)));
        Assert.All(api.Requests, r => Assert.Equal($"Token {RunnerLayout.Token}", r.Headers["Authorization"])); // Octokit's spelling; the scheme is case-insensitive
        Assert.All(api.Requests.Where(r => r.Method == "POST"), r =>
        {
            Assert.StartsWith("application/json", r.Headers["Content-Type"]);
            Assert.Equal("application/vnd.github+json", r.Headers["Accept"]);
        });
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_script_posts_failure_without_an_environment_url()
    {
        var (result, api, _) = await RunAsync(RunnerLayout.DeployEvent(), new() { ["script"] = "exit 4", ["environment-url"] = "https://hello.example.com" });

        Assert.Equal(1, result.ExitCode);
        AssertBodies(api,
            Body("in_progress", "Deploying main to production"),
            Body("failure", "Failed: The script exited with code 4."));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_time_out_posts_error()
    {
        var (result, api, _) = await RunAsync(RunnerLayout.DeployEvent(), new() { ["script"] = "sleep 30", ["timeout"] = "1s" });

        Assert.Equal(1, result.ExitCode);
        AssertBodies(api,
            Body("in_progress", "Deploying main to production"),
            Body("error", "Error: The deployment timed out after 1.0 s (input `timeout`)."));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_removal_posts_inactive()
    {
        var (result, api, _) = await RunAsync(File.ReadAllText(RepositoryFiles.Example("events/remove-review-app.json")), new() { ["remove-script"] = "echo removing" });

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        AssertBodies(api,
            Body("in_progress", "Removing pr17"),
            Body("inactive", "Removed pr17"));
        Assert.All(api.Statuses, s => Assert.Equal(4242424243, s.DeploymentId));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_configuration_error_posts_error_and_runs_nothing()
    {
        var (result, api, layout) = await RunAsync(RunnerLayout.DeployEvent(), new() { ["script"] = "touch ran", ["timeout"] = "soon" });

        Assert.Equal(2, result.ExitCode);
        Assert.Single(api.Statuses);
        Assert.Equal("error", api.Statuses[0].State);
        Assert.StartsWith("Configuration error: ", (string?)api.Statuses[0].Body["description"]);
        Assert.Equal(RunnerLayout.LogUrl, (string?)api.Statuses[0].Body["log_url"]);
        Assert.Equal(["state", "description", "log_url"], api.Statuses[0].Body.Select(p => p.Key));
        Assert.False(File.Exists(Path.Combine(layout.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_refusal_by_the_api_is_one_clear_error_line_with_githubs_message()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        // On in_progress itself: the lock check before it is a request of its own.
        api.RateLimit(FakeGitHubApi.StatusPost("in_progress"), 403, new Dictionary<string, string>(), "scripted failure");
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());

        var result = await ExecuteAsync(layout, layout.Variables(api.BaseUrl, new Dictionary<string, string> { ["script"] = "touch ran", ["skip-superseded"] = "false" }, inContainer: false), []);

        // Octokit's own error parsing is reflection-based and finds nothing under Native AOT.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("::error title=Deployment not started::Could not post the `in_progress` status: forbidden (403, scripted failure).", result.StandardOutput);
        Assert.False(File.Exists(Path.Combine(layout.Workspace, "ran")));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_post_step_posts_error_for_a_deployment_left_in_progress()
    {
        await using var api = await FakeGitHubApi.StartAsync();
        using var layout = new RunnerLayout(RunnerLayout.DeployEvent());
        var variables = layout.Variables(api.BaseUrl, new Dictionary<string, string>(), inContainer: false);
        variables["STATE_deployment-id"] = "4242424242";
        variables["STATE_posted"] = "in_progress";

        var result = await ExecuteAsync(layout, variables, ["--post"]);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        AssertBodies(api, Body("error", "The runner stopped before it could report a result."));
    }

    private static void AssertBodies(FakeGitHubApi api, params JsonObject[] expected)
    {
        var actual = api.Statuses.Select(s => s.Body).ToList();
        Assert.True(
            actual.Count == expected.Length && actual.Zip(expected).All(pair => JsonNode.DeepEquals(pair.First, pair.Second)),
            $"expected:\n{string.Join('\n', expected.Select(e => e.ToJsonString()))}\nactual:\n{string.Join('\n', actual.Select(a => a.ToJsonString()))}");
    }

    private static async Task<(BufferedCommandResult Result, FakeGitHubApi Api, RunnerLayout Layout)> RunAsync(string eventJson, Dictionary<string, string> inputs)
    {
        var api = await FakeGitHubApi.StartAsync();
        var layout = new RunnerLayout(eventJson);
        var result = await ExecuteAsync(layout, layout.Variables(api.BaseUrl, inputs, inContainer: false), []);
        // The fake and the layout live until the test process ends: bodies are asserted after this.
        return (result, api, layout);
    }

    private static async Task<BufferedCommandResult> ExecuteAsync(RunnerLayout layout, Dictionary<string, string> variables, string[] arguments)
    {
        var binary = RepositoryFiles.AotBinary;
        if (!File.Exists(binary))
            throw new InvalidOperationException($"The Native AOT binary is missing at {binary}: tests/run.sh publishes it (dotnet publish src/DeployRunner -c Release -r linux-x64 -o artifacts/aot).");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        return await Cli.Wrap(binary)
            .WithArguments(arguments)
            .WithWorkingDirectory(layout.Workspace)
            .WithEnvironmentVariables(variables.ToDictionary(p => p.Key, p => (string?)p.Value))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
    }
}
