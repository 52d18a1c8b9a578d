using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// examples/workflows/ssh-releases.yml is real: the built runner, given the workflow's own
/// <c>with:</c> inputs (servers, key and health URL swapped for the test fleet's), releases the
/// example site to three servers, posts the statuses the README promises, and a <c>rollback</c>
/// deployment goes back. Also the dry run, and the health check for the shell handler.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseExampleTests(SshServers servers) : IAsyncLifetime
{
    private static readonly string Root = RepositoryFiles.Root;

    private readonly ReleaseFleet _fleet = new(servers, "example-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeGitHubApi _api = null!;
    private FakeApp _app = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeGitHubApi.StartAsync();
        _app = await FakeApp.StartAsync(SshServers.FleetAddresses.Take(3));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _app.DisposeAsync();
        foreach (var i in new[] { 0, 1, 2 })
        {
            if (Directory.Exists(_fleet.Root(i))) Directory.Delete(_fleet.Root(i), recursive: true);
        }
    }

    private static Dictionary<string, string> WorkflowInputs()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "examples", "workflows", "ssh-releases.yml"))));
        var steps = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("jobs")]).Children[new YamlScalarNode("deploy")]).Children[new YamlScalarNode("steps")];
        var runner = steps.Children.OfType<YamlMappingNode>().Single(s => s.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) && ((YamlScalarNode)uses).Value!.StartsWith("deliverybot/runner@", StringComparison.Ordinal));
        return ((YamlMappingNode)runner.Children[new YamlScalarNode("with")]).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
    }

    /// <summary>The example's inputs in a sandbox whose workspace holds what its Build step makes.</summary>
    private RunnerSandbox Sandbox(string eventJson, string sha)
    {
        var sandbox = new RunnerSandbox(eventJson, _api);
        foreach (var (name, value) in WorkflowInputs()) sandbox.Input(name, value);
        var dist = Path.Combine(sandbox.Workspace, "dist");
        CopyTree(Path.Combine(Root, "examples", "ssh-releases", "site"), dist);
        File.WriteAllText(Path.Combine(dist, "REVISION"), sha + "\n");
        return sandbox
            .Input("hosts", string.Join('\n', new[] { 0, 1, 2 }.Select(_fleet.Login)))
            .Input("ssh-user", "")
            .Input("ssh-key", servers.Ed25519.PrivateKey)
            .Input("ssh-known-hosts", servers.KnownHosts())
            .Input("deploy-path", _fleet.DeployPath)
            .Input("health-check-url", WorkflowInputs()["health-check-url"].Replace("https://{host}/", $"http://{{host}}:{_app.Port}/", StringComparison.Ordinal))
            .Input("health-check-timeout", "3s");
    }

    private const string Sha1 = "aaaaaaa111111111111111111111111111111111";
    private const string Sha2 = "bbbbbbb222222222222222222222222222222222";

    private async Task DeployAsync(long id, string sha)
    {
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: id, sha: sha), sha);
        (await sandbox.RunAsync(TimeSpan.FromSeconds(90))).ShouldExitWith(0);
    }

    [Fact(Timeout = 180_000)]
    public async Task The_example_releases_to_three_servers_and_a_rollback_deployment_goes_back_with_a_rolled_back_to_status()
    {
        await DeployAsync(71, Sha1);
        using var second = Sandbox(WebhookEvents.Deployment(id: 72, sha: Sha2), Sha2);
        var deployed = await second.RunAsync(TimeSpan.FromSeconds(90));

        deployed.ShouldExitWith(0);
        Assert.Equal("success", _api.Statuses.Last(s => s.DeploymentId == 72).State);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("releases/72-bbbbbbb", _fleet.Current(i));
            Assert.Equal(Sha2, File.ReadAllText(Path.Combine(_fleet.Root(i), "current", "REVISION")).Trim());
            Assert.True((File.GetUnixFileMode(Path.Combine(_fleet.Root(i), "current", "bin", "after-switch")) & UnixFileMode.UserExecute) != 0);
        }

        Assert.Contains(deployed.Lines, l => l.Contains("| live: 72-bbbbbbb (previous: 71-aaaaaaa)", StringComparison.Ordinal));
        var summary = second.Summary();
        Assert.Contains("release 72-bbbbbbb", summary);
        Assert.Contains(@"switched; healthy \(HTTP 200\)", summary);

        using var rollback = Sandbox(WebhookEvents.Deployment(id: 73, sha: Sha2, task: "rollback"), Sha2);
        var back = await rollback.RunAsync(TimeSpan.FromSeconds(90));

        back.ShouldExitWith(0);
        var status = _api.Statuses.Last(s => s.DeploymentId == 73);
        Assert.Equal("success", status.State);
        Assert.Equal("Rolled back to 71-aaaaaaa", status.Description);
        for (var i = 0; i < 3; i++) Assert.Equal("releases/71-aaaaaaa", _fleet.Current(i));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_failed_health_check_posts_failure_saying_it_was_rolled_back_and_to_what()
    {
        await DeployAsync(81, Sha1);
        _app.MarkUnhealthy(_fleet.Address(1));
        using var second = Sandbox(WebhookEvents.Deployment(id: 82, sha: Sha2), Sha2);

        var result = await second.RunAsync(TimeSpan.FromSeconds(90));

        result.ShouldExitWith(1);
        var status = _api.Statuses.Last(s => s.DeploymentId == 82);
        Assert.Equal("failure", status.State);
        Assert.Contains("rolled back 3 servers to release 81-aaaaaaa", status.Description);
        for (var i = 0; i < 3; i++) Assert.Equal("releases/81-aaaaaaa", _fleet.Current(i));
        Assert.Contains("rolled back to 81-aaaaaaa", second.Summary());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dry_run_shows_the_phases_the_paths_and_the_pruning_rule_and_connects_to_nothing()
    {
        using var sandbox = Sandbox(WebhookEvents.Deployment(id: 91, sha: "ccccccc333333333333333333333333333333333"), "c")
            .Input("hosts", "deploy@127.0.0.1:1")
            // A real run would check this key; a dry run refuses a host that nothing pins.
            .Input("ssh-known-hosts", $"[127.0.0.1]:1 {servers.FleetHostKey}")
            .Input("dry-run", "true");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(0);
        Assert.Contains(result.Lines, l => l.StartsWith("Phase one, on every server: upload 4 files", StringComparison.Ordinal) && l.Contains($"{_fleet.DeployPath}/releases/91-ccccccc", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith($"Phase two, only if phase one succeeded everywhere: switch {_fleet.DeployPath}/current -> releases/91-ccccccc", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains("beyond the newest 5 good ones", StringComparison.Ordinal));
        Assert.Empty(_api.Statuses);
        Assert.False(Directory.Exists(_fleet.Root(0)));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false, 0, "success")]
    [InlineData(true, 1, "failure")]
    public async Task The_shell_handler_checks_health_at_the_environment_url_after_its_script(bool unhealthy, int exitCode, string state)
    {
        if (unhealthy) _app.MarkUnhealthy(_fleet.Address(2));
        using var sandbox = new RunnerSandbox(WebhookEvents.Deployment(), _api)
            .Input("script", "echo deployed")
            .Input("environment-url", $"http://{_fleet.Address(2)}:{_app.Port}")
            .Input("health-check-url", "{environment-url}/up")
            .Input("health-check-timeout", "2s");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(exitCode);
        Assert.Equal(state, _api.States.Last());
        Assert.Contains($"{_fleet.Address(2)}/up", _app.Asked);
        if (unhealthy) Assert.Contains("health check", _api.Statuses.Last().Description);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
