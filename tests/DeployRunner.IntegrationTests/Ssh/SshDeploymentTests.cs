using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>The built runner with the ssh handler, as the Actions runner starts it, against real sshd and a fake GitHub API.</summary>
[Collection(SshServersCollection.Name)]
public sealed class SshDeploymentTests(SshServers servers) : IAsyncLifetime
{
    private FakeGitHubApi _api = null!;
    private readonly string _scratch = Directory.CreateTempSubdirectory("deploy-runner-ssh-e2e-").FullName;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    private RunnerSandbox Sandbox(string script, string? eventJson = null) =>
        new RunnerSandbox(eventJson ?? WebhookEvents.Deployment(), _api)
            .Input("handler", "ssh")
            .Input("hosts", $"{servers.Host(0)}, {servers.Host(1)}")
            .Input("ssh-user", SshServers.User)
            .Input("ssh-key", servers.EncryptedEd25519.PrivateKey)
            .Input("ssh-passphrase", servers.EncryptedEd25519.Passphrase!)
            .Input("ssh-known-hosts", servers.KnownHosts())
            .Input("ssh-strict", "true")
            .Input("fail-fast", "true")
            .Input("connect-timeout", "30s")
            .Input("script", script);

    [Fact(Timeout = 90_000)]
    public async Task I_can_deploy_to_two_hosts_and_see_statuses_the_results_output_and_a_summary_row_per_host()
    {
        using var sandbox = Sandbox("echo \"deployed $DEPLOY_SHA\"");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], _api.States);
        Assert.Contains($"{servers.Host(0)} | deployed a5c3785ed8d6a35868bc169f07e40e889087fd2e", result.Lines);
        var results = JsonNode.Parse(sandbox.Outputs()["results"])!.AsArray();
        Assert.Equal([servers.Host(0), servers.Host(1)], results.Select(r => r!["target"]!.GetValue<string>()));
        Assert.All(results, r => Assert.Equal("ok", r!["result"]!.GetValue<string>()));
        Assert.All(results, r => Assert.Equal(0, r!["exit_code"]!.GetValue<int>()));
        var summary = sandbox.Summary();
        Assert.Contains($"| {servers.Host(0)} | ok | 0 |", summary);
        Assert.Contains($"| {servers.Host(1)} | ok | 0 |", summary);

        // The key and the passphrase are masked first and never printed.
        var masks = result.Lines.TakeWhile(l => l.StartsWith("::add-mask::", StringComparison.Ordinal)).ToList();
        Assert.Contains("::add-mask::" + servers.EncryptedEd25519.Passphrase, masks);
        var printed = string.Join('\n', result.Lines.Skip(masks.Count));
        Assert.DoesNotContain(servers.EncryptedEd25519.Passphrase!, printed);
        foreach (var keyLine in servers.EncryptedEd25519.PrivateKey.Split('\n').Where(l => l.Length > 20))
            Assert.DoesNotContain(keyLine, printed);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_failing_host_ends_in_failure_with_an_error_naming_it()
    {
        using var sandbox = Sandbox("[ \"$(echo \"$SSH_CONNECTION\" | cut -d' ' -f3)\" != 127.0.0.3 ] || exit 5");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "failure"], _api.States);
        Assert.Contains(servers.Host(1), _api.Statuses[1].Description);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains(servers.Host(1), StringComparison.Ordinal) && l.Contains("exit code 5", StringComparison.Ordinal));
        Assert.Equal("failure", sandbox.Outputs()["status"]);
    }

    [Fact(Timeout = 90_000)]
    public async Task Missing_host_keys_are_a_configuration_error_and_nothing_connects()
    {
        using var sandbox = Sandbox($"touch '{_scratch}/ran'").Input("ssh-known-hosts", "");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("ssh-known-hosts", error);
        Assert.Equal(["error"], _api.States);
        Assert.False(File.Exists(Path.Combine(_scratch, "ran")));
        Assert.DoesNotContain("   at ", result.Log);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_time_out_stops_the_remote_script_posts_error_and_leaves_no_remote_process()
    {
        var pids = Path.Combine(_scratch, "pids");
        using var sandbox = Sandbox($"echo $$ >> '{pids}'; sleep 303 & echo $! >> '{pids}'; wait").Input("timeout", "3s");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(30));

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "error"], _api.States);
        Assert.Contains("timed out", _api.Statuses[1].Description);
        await RemoteProcesses.AssertGoneAsync(pids, TimeSpan.FromSeconds(3));
    }

    [Fact(Timeout = 90_000)]
    public async Task SIGINT_during_a_remote_script_stops_it_posts_error_within_seven_seconds_and_leaves_no_remote_process()
    {
        var pids = Path.Combine(_scratch, "pids");
        using var sandbox = Sandbox($"echo $$ >> '{pids}'; sleep 304 & echo $! >> '{pids}'; echo started; wait");
        using var runner = sandbox.Start();
        await runner.WaitForLineAsync(l => l.EndsWith("| started", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await runner.WaitForLineAsync(_ => File.Exists(pids) && File.ReadAllLines(pids).Length >= 4, TimeSpan.FromSeconds(10));

        runner.Signal(RunningRunner.SIGINT);
        var signalled = DateTime.UtcNow;
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(DateTime.UtcNow - signalled < TimeSpan.FromSeconds(7), "the runner must finish within the Actions runner's 7.5 s");
        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "error"], _api.States);
        Assert.Contains("cancelled", _api.Statuses[1].Description);
        await RemoteProcesses.AssertGoneAsync(pids, TimeSpan.FromSeconds(3));
    }

    [Fact(Timeout = 90_000)]
    public async Task Removing_an_environment_runs_the_remove_script_and_marks_it_inactive()
    {
        using var sandbox = Sandbox("exit 1", WebhookEvents.Deployment(task: "remove", environment: "pr-7", transient: true))
            .Input("remove-script", "echo \"tearing down $DEPLOY_ENVIRONMENT\"");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "inactive"], _api.States);
        Assert.Contains($"{servers.Host(1)} | tearing down pr-7", result.Lines);
    }
}
