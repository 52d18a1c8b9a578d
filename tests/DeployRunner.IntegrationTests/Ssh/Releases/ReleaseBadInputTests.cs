using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// Bad release input is refused like every other bad input, before <c>in_progress</c>: the built
/// runner prints one <c>::error::</c> line saying what is wrong and how to fix it, exits 2, posts
/// only the configuration error's <c>error</c> status, and nothing reaches the servers (the deploy
/// path, which the first remote step would create, never appears on any of them).
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseBadInputTests(SshServers servers) : IAsyncLifetime
{
    private readonly ReleaseFleet _fleet = new(servers, "bad-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_fleet.Workspace, recursive: true);
        foreach (var i in new[] { 0, 1, 2 })
        {
            if (Directory.Exists(_fleet.Root(i))) Directory.Delete(_fleet.Root(i), recursive: true);
        }
    }

    /// <summary>A release deployment that would work: three servers, dist/ built, a script that leaves a mark.</summary>
    private RunnerSandbox Sandbox(string eventJson)
    {
        var sandbox = new RunnerSandbox(eventJson, _api);
        var dist = Path.Combine(sandbox.Workspace, "dist");
        Directory.CreateDirectory(dist);
        File.WriteAllText(Path.Combine(dist, "index.html"), "v1");
        return sandbox
            .Input("handler", "ssh")
            .Input("hosts", string.Join('\n', new[] { 0, 1, 2 }.Select(_fleet.Login)))
            .Input("ssh-key", servers.Ed25519.PrivateKey)
            .Input("ssh-known-hosts", servers.KnownHosts())
            .Input("deploy-path", _fleet.DeployPath)
            .Input("upload", "dist")
            .Input("script", "touch ran");
    }

    private void AssertRefusedBeforeAnything(RunnerResult result, string expected)
    {
        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", result.Log);
        Assert.Equal(["error"], _api.States);
        Assert.StartsWith("Configuration error: ", _api.Statuses[0].Description);
        for (var i = 0; i < 3; i++) Assert.False(Directory.Exists(_fleet.Root(i)), $"nothing may reach server {i}: {_fleet.Root(i)} exists");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("upload", "dist\nbuild/missing", "Input `upload`: 'build/missing' matches no file in the working directory")]
    [InlineData("upload", "dist/*.js", "Input `upload`: 'dist/*.js' matches no file")]
    [InlineData("upload", "../secrets", "Input `upload`: '../secrets' must be a path inside the working directory")]
    [InlineData("upload", "/etc/hostname", "Input `upload`: '/etc/hostname' must be a path inside the working directory")]
    [InlineData("deploy-path", "~/app", "Input `deploy-path` '~/app' starts with ~, which is not expanded on the servers")]
    [InlineData("deploy-path", "/./", "Input `deploy-path` must name a folder below / without `.` or `..` parts")]
    [InlineData("deploy-path", "/srv/app/../../etc", "without `.` or `..` parts")]
    [InlineData("keep-releases", "1", "Input `keep-releases` must be at least 2")]
    [InlineData("keep-releases", "0", "Input `keep-releases` must be a positive whole number")]
    [InlineData("keep-releases", "99999999999", "Input `keep-releases` must be a positive whole number")]
    [InlineData("keep-releases", "five", "Input `keep-releases` must be a positive whole number")]
    [InlineData("auto-rollback", "sometimes", "Input `auto-rollback` must be `true` or `false`")]
    [InlineData("health-check-url", "ftp://{host}/up", "Input `health-check-url` must be an http or https URL")]
    [InlineData("health-check-url", "{environment-url}/up", "Input `health-check-url` uses {environment-url}, but this deployment has no environment URL: set `environment-url`")]
    [InlineData("health-check-timeout", "forever", "Input `health-check-timeout`")]
    [InlineData("atomic", "true", "Input `atomic` is read by the kubectl handler only; the ssh handler would ignore it.")]
    public async Task A_bad_release_input_is_refused_before_in_progress_and_nothing_reaches_the_servers(string input, string value, string expected)
    {
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: 501, sha: "aaaaaaa111111111111111111111111111111111")).Input(input, value);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        AssertRefusedBeforeAnything(result, expected);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_symbolic_link_in_the_upload_that_points_outside_the_working_directory_is_refused()
    {
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: 502, sha: "aaaaaaa111111111111111111111111111111111"));
        var outside = Path.Combine(sandbox.Root, "runner-secret");
        File.WriteAllText(outside, "not for the servers");
        File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "dist", "config.json"), outside);
        Directory.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "dist", "etc"), sandbox.Root);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        AssertRefusedBeforeAnything(result, "is a symbolic link (or inside one) to ");
        Assert.Contains("outside the working directory", result.Lines.Single(l => l.StartsWith("::error", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_symbolic_link_that_stays_inside_the_working_directory_is_uploaded_as_its_file()
    {
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: 503, sha: "aaaaaaa111111111111111111111111111111111")).Input("hosts", _fleet.Login(0));
        File.CreateSymbolicLink(Path.Combine(sandbox.Workspace, "dist", "home.html"), "index.html");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(0);
        Assert.Equal("v1", File.ReadAllText(Path.Combine(_fleet.Root(0), "current", "dist", "home.html")));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("\"latest\"", "must be the id of the deployment to go back to (such as \"41\") or a release name (such as \"41-a5c3785\"), not \"latest\"")]
    [InlineData("\"../../etc\"", "not \"../../etc\"")]
    [InlineData("{\"id\": 41}", "not {\"id\":41}")]
    [InlineData("\"41\\n::warning::x\"", "not \"41\\n::warning::x\"")]
    public async Task A_rollback_deployment_naming_a_release_that_cannot_exist_is_refused_before_in_progress(string release, string expected)
    {
        var payload = JsonNode.Parse($"{{\"release\": {release}}}");
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: 504, task: "rollback", payload: payload));

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        AssertRefusedBeforeAnything(result, expected);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::warning::x", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_with_an_upload_that_matches_nothing_is_refused_the_same_way_and_posts_nothing()
    {
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: 505)).Input("upload", "build").Input("dry-run", "true");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(45));

        result.ShouldExitWith(2);
        Assert.Contains("Input `upload`: 'build' matches no file", Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal)));
        Assert.Empty(_api.States);
    }
}
