using System.Text.Json.Nodes;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// Releases under attack and bad luck, through the built runner against real OpenSSH servers:
/// each test asserts what reaches GitHub (the posted statuses, the <c>results</c> output) and what
/// the servers' file systems hold afterwards.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseSafetyTests(SshServers servers) : IAsyncLifetime
{
    private const string Sha1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Sha2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Sha3 = "3333333ccccccccccccccccccccccccccccccccc";

    private readonly ReleaseFleet _fleet = new(servers, "safe-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _shared = Directory.CreateTempSubdirectory("deploy-runner-release-signal-").FullName;
    private FakeGitHubApi _api = null!;
    private FakeApp _app = null!;

    public async Task InitializeAsync()
    {
        // The servers' scripts (other users) meet the test at files in this folder.
        File.SetUnixFileMode(_shared, (UnixFileMode)0x1FF);
        _api = await FakeGitHubApi.StartAsync();
        _app = await FakeApp.StartAsync([.. SshServers.FleetAddresses.Take(3), "[::1]"]);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _app.DisposeAsync();
        Directory.Delete(_fleet.Workspace, recursive: true);
        Directory.Delete(_shared, recursive: true);
        foreach (var i in new[] { 0, 1, 2 })
        {
            if (Directory.Exists(_fleet.Root(i))) SshServers.Run("rm", "-rf", "--", _fleet.Root(i));
        }
    }

    private static string Name(long id, string sha) => $"{id}-{sha[..7]}";

    /// <summary>The built runner with the fleet's servers (the first two unless <paramref name="on"/> says), releasing a copy of the fleet's workspace.</summary>
    private RunnerSandbox Sandbox(long id, string sha, string? script, string task = "deploy", JsonNode? payload = null, int[]? on = null)
    {
        var sandbox = new RunnerSandbox(WebhookEvents.Deployment(id: id, sha: sha, task: task, payload: payload), _api)
            .Input("skip-superseded", "false")
            .Input("handler", "ssh")
            .Input("hosts", string.Join('\n', (on ?? [0, 1]).Select(_fleet.Login)))
            .Input("ssh-key", servers.Ed25519.PrivateKey)
            .Input("ssh-known-hosts", servers.KnownHosts())
            .Input("connect-timeout", "30s")
            .Input("deploy-path", _fleet.DeployPath)
            .Input("working-directory", "site")
            .Input("upload", ".");
        if (script is not null) sandbox.Input("script", script);
        foreach (var file in Directory.EnumerateFiles(_fleet.Workspace, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(sandbox.Workspace, "site", Path.GetRelativePath(_fleet.Workspace, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }

        return sandbox;
    }

    private async Task<RunnerResult> RunAsync(RunnerSandbox sandbox, int exitCode)
    {
        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == exitCode, $"exit code {result.ExitCode}, expected {exitCode}\n{result.Log}");
        return result;
    }

    private async Task DeployAsync(long id, string sha, string? script = null, int[]? on = null)
    {
        using var sandbox = Sandbox(id, sha, script, on: on);
        await RunAsync(sandbox, 0);
        Assert.Equal("success", _api.LatestState(id));
    }

    /// <summary>Release <paramref name="id"/> (index.html "v1") live on the first two servers; the workspace then holds "v2".</summary>
    private async Task OnFirstReleaseAsync(long id)
    {
        _fleet.WriteFile("index.html", "v1");
        await DeployAsync(id, Sha1);
        _fleet.WriteFile("index.html", "v2");
    }

    private PostedStatus Final(long id) => _api.Statuses.Last(s => s.DeploymentId == id);

    [Fact(Timeout = 300_000)]
    public async Task A_phase_one_script_writing_files_every_way_changes_no_file_of_current_or_an_older_release()
    {
        _fleet.WriteFile("env.txt", "SECRET=old\n");
        _fleet.WriteFile("log.txt", "line 1\n");
        _fleet.WriteFile("config.txt", "mode=live\n");
        _fleet.WriteFile("data.txt", "data v1\n");
        _fleet.WriteFile("py.txt", "python original\n");
        _fleet.WriteFile("pl.txt", "perl original\n");
        _fleet.WriteFile("bin/start", "#!/bin/sh\necho start\n", executable: true);
        await DeployAsync(1101, Sha1);
        _fleet.WriteFile("index.html", "v2");
        await DeployAsync(1102, Sha2);

        // Every way a script commonly changes a file in place, then a failure: phase one fails,
        // nothing is switched, and no byte or mode of the live or the older release may change.
        var script = string.Join('\n',
            "printf 'SECRET=new\\n' > env.txt",
            "echo 'line 2' >> log.txt",
            "sed -i 's/live/broken/' config.txt",
            "cp /etc/hostname data.txt",
            "chmod 0777 bin/start && chmod u+w py.txt pl.txt",
            "python3 -c \"f = open('py.txt', 'r+'); f.write('PYTHON WROTE'); f.close()\"",
            "perl -e 'open(my $f, \"+<\", \"pl.txt\") or die; print $f \"PERL WROTE\"; close $f'",
            "exit 3");
        using var third = Sandbox(1103, Sha3, script);
        await RunAsync(third, 1);

        Assert.Equal("failure", Final(1103).State);
        Assert.Contains("Phase one failed", Final(1103).Description);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal($"releases/{Name(1102, Sha2)}", _fleet.Current(i));
            var attempted = Path.Combine(_fleet.Root(i), "releases", Name(1103, Sha3));
            // The script did write: in its own release only.
            Assert.Equal("SECRET=new\n", File.ReadAllText(Path.Combine(attempted, "env.txt")));
            Assert.StartsWith("PYTHON WROTE", File.ReadAllText(Path.Combine(attempted, "py.txt")), StringComparison.Ordinal);
            foreach (var release in new[] { Path.Combine(_fleet.Root(i), "current"), Path.Combine(_fleet.Root(i), "releases", Name(1101, Sha1)) })
            {
                Assert.Equal("SECRET=old\n", File.ReadAllText(Path.Combine(release, "env.txt")));
                Assert.Equal("line 1\n", File.ReadAllText(Path.Combine(release, "log.txt")));
                Assert.Equal("mode=live\n", File.ReadAllText(Path.Combine(release, "config.txt")));
                Assert.Equal("data v1\n", File.ReadAllText(Path.Combine(release, "data.txt")));
                Assert.Equal("python original\n", File.ReadAllText(Path.Combine(release, "py.txt")));
                Assert.Equal("perl original\n", File.ReadAllText(Path.Combine(release, "pl.txt")));
                Assert.NotEqual((UnixFileMode)0x1FF, File.GetUnixFileMode(Path.Combine(release, "bin/start")));
                Assert.NotEqual(ReleaseFleet.Inode(Path.Combine(attempted, "env.txt")), ReleaseFleet.Inode(Path.Combine(release, "env.txt")));
            }
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task The_health_check_of_an_IPv6_server_is_polled_in_brackets_in_a_fleet_with_an_IPv4_one()
    {
        _fleet.WriteFile("index.html", "v1");
        using var first = Sandbox(1201, Sha1, null).Input("hosts", $"{ReleaseFleet.Users[0]}@{servers.IPv6Host}\n{_fleet.Login(1)}")
            .Input("ssh-known-hosts", servers.KnownHosts("::1", SshServers.FleetAddresses[1]))
            .Input("health-check-url", $"http://{{host}}:{_app.Port}/up")
            .Input("health-check-timeout", "10s");

        await RunAsync(first, 0);

        Assert.Equal("success", Final(1201).State);
        Assert.Contains("::1/up", _app.Asked);
        Assert.Contains($"{_fleet.Address(1)}/up", _app.Asked);
        Assert.Equal($"releases/{Name(1201, Sha1)}", _fleet.Current(0));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_health_check_url_that_is_no_URL_for_one_server_is_refused_before_any_status()
    {
        _fleet.WriteFile("index.html", "v1");
        // Whole with a host name ("http://xexample.com/up"), no URL with the IPv6 server's address.
        using var sandbox = Sandbox(1301, Sha1, null).Input("hosts", $"{_fleet.Login(1)}\n{ReleaseFleet.Users[0]}@{servers.IPv6Host}")
            .Input("ssh-known-hosts", servers.KnownHosts("::1", SshServers.FleetAddresses[1]))
            .Input("health-check-url", "http://x{host}/up");

        var result = await RunAsync(sandbox, 2);

        Assert.DoesNotContain("in_progress", _api.States);
        Assert.Contains("[::1]", Final(1301).Description);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("health-check-url", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_fleet.Root(1), "releases")));
    }

    [Fact(Timeout = 300_000)]
    public async Task Deployment_variables_over_what_one_SSH_command_carries_are_left_out_by_name_and_the_release_goes_live()
    {
        _fleet.WriteFile("index.html", "v1");
        await DeployAsync(1401, Sha1);
        var payload = new JsonObject { ["blob"] = new string('x', 100 * 1024) };
        using var sandbox = Sandbox(1402, Sha2, "test -n \"$DEPLOY_RELEASE_PATH\"", payload: payload)
            .Input("after-switch", "printf '%s' \"$DEPLOY_RELEASE\" > \"$DEPLOY_PATH/hook-saw\"");

        var result = await RunAsync(sandbox, 0);

        Assert.Equal("success", Final(1402).State);
        Assert.Contains(result.Lines, l => l.Contains("too big to pass in one SSH command", StringComparison.Ordinal) && l.Contains("DEPLOY_PAYLOAD", StringComparison.Ordinal));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal($"releases/{Name(1402, Sha2)}", _fleet.Current(i));
            Assert.Equal(Name(1402, Sha2), File.ReadAllText(Path.Combine(_fleet.Root(i), "hook-saw")));
        }
    }

    /// <summary>
    /// Two servers on release <paramref name="first"/>; release <paramref name="second"/> switches,
    /// its hook (<paramref name="hookFirst"/>, then a long sleep) is running on both when SIGINT comes.
    /// </summary>
    /// <summary>
    /// Stops the second deployment while both servers run its <c>after-switch</c> hook: SIGINT, or,
    /// with <paramref name="timeout"/>, the deployment's own time-out (the hook outlasts it).
    /// </summary>
    private async Task<PostedStatus> StopDuringTheHookAsync(long first, long second, string hookFirst, string? timeout = null)
    {
        await OnFirstReleaseAsync(first);
        var hooked = Path.Combine(_shared, "hooked");
        using var sandbox = Sandbox(second, Sha2, null)
            .Input("after-switch", $"[ \"$DEPLOY_RELEASE\" != {Name(second, Sha2)} ] || {{ {hookFirst} touch {hooked}-$(id -u); sleep 300; }}");
        if (timeout is not null) sandbox.Input("timeout", timeout);
        using var runner = sandbox.Start();
        await WaitForAsync(() => Directory.EnumerateFiles(_shared, "hooked-*").Count() == 2, TimeSpan.FromSeconds(100));

        if (timeout is null) runner.Signal(RunningRunner.SIGINT);
        var result = await runner.WaitAsync(TimeSpan.FromSeconds(timeout is null ? 30 : 150));
        for (var i = 0; i < 2; i++) SshServers.Run("chmod", "u+w", _fleet.Root(i));

        result.ShouldExitWith(1);
        var status = Final(second);
        Assert.Equal("error", status.State);
        Assert.True(status.Description!.Length <= 140);
        return status;
    }

    [Fact(Timeout = 300_000)]
    public async Task SIGINT_in_phase_two_posts_an_error_saying_every_server_was_rolled_back_and_to_what()
    {
        var status = await StopDuringTheHookAsync(1501, 1502, "");

        Assert.Equal($"Error: Cancelled; stopped during phase two: rolled back 2 servers to release {Name(1501, Sha1)}", status.Description);
        for (var i = 0; i < 2; i++) Assert.Equal($"releases/{Name(1501, Sha1)}", _fleet.Current(i));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_time_out_in_phase_two_posts_an_error_saying_every_server_was_rolled_back_and_to_what()
    {
        var status = await StopDuringTheHookAsync(1511, 1512, "", timeout: "50s");

        Assert.Equal($"Error: Timed out after 50.0 s; stopped during phase two: rolled back 2 servers to release {Name(1511, Sha1)}", status.Description);
        for (var i = 0; i < 2; i++) Assert.Equal($"releases/{Name(1511, Sha1)}", _fleet.Current(i));
    }

    [Fact(Timeout = 300_000)]
    public async Task SIGINT_in_phase_two_when_the_rollback_cannot_finish_posts_which_servers_may_still_be_on_the_new_release()
    {
        // The hook makes the deploy path read-only: the switch back cannot make its new link.
        var status = await StopDuringTheHookAsync(1601, 1602, "chmod a-w \"$DEPLOY_PATH\";");

        Assert.Equal($"Error: Cancelled; stopped during phase two and the rollback could not finish: 2 servers may still be on {Name(1602, Sha2)}", status.Description);
        for (var i = 0; i < 2; i++) Assert.Equal($"releases/{Name(1602, Sha2)}", _fleet.Current(i));
    }

    [Fact(Timeout = 300_000)]
    public async Task The_rollback_task_reports_rolled_back_for_every_server_in_results()
    {
        await OnFirstReleaseAsync(1701);
        await DeployAsync(1702, Sha2);
        using var sandbox = Sandbox(1703, Sha2, null, task: "rollback");

        await RunAsync(sandbox, 0);

        Assert.Equal("success", Final(1703).State);
        var results = JsonNode.Parse(sandbox.Outputs()["results"])!.AsArray();
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal("rolled back", r!["result"]!.GetValue<string>()));
        for (var i = 0; i < 2; i++) Assert.Equal($"releases/{Name(1701, Sha1)}", _fleet.Current(i));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_second_run_while_one_holds_the_deploy_path_is_refused_and_leaves_the_first_runs_release_alone()
    {
        await OnFirstReleaseAsync(1801);
        var started = Path.Combine(_shared, "started");
        var go = Path.Combine(_shared, "go");
        using var first = Sandbox(1802, Sha2, $"touch {started}-$(id -u); while [ ! -e {go} ]; do sleep 0.1; done");
        using var firstRun = first.Start();
        await WaitForAsync(() => Directory.EnumerateFiles(_shared, "started-*").Count() == 2, TimeSpan.FromSeconds(100));

        _fleet.WriteFile("index.html", "v3");
        using var second = Sandbox(1803, Sha3, null);
        var refused = await RunAsync(second, 1);
        await File.WriteAllTextAsync(go, "");
        var firstResult = await firstRun.WaitAsync(TimeSpan.FromSeconds(100));

        Assert.Equal("error", Final(1803).State);
        Assert.Contains("another run holds", refused.Log);
        Assert.Contains("deployment 1802", refused.Log);
        firstResult.ShouldExitWith(0);
        Assert.Equal("success", Final(1802).State);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal($"releases/{Name(1802, Sha2)}", _fleet.Current(i));
            Assert.DoesNotContain(Name(1803, Sha3), _fleet.Releases(i));
            Assert.False(Directory.Exists(Path.Combine(_fleet.Root(i), ".deploy-runner", "lock")), "the lock goes at the end of the run");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task A_lock_left_by_a_run_that_ended_without_removing_it_is_taken_over_once_stale()
    {
        _fleet.WriteFile("index.html", "v1");
        await DeployAsync(1901, Sha1, on: [0]);
        var lockDir = Path.Combine(_fleet.Root(0), ".deploy-runner", "lock");
        Directory.CreateDirectory(lockDir);
        File.WriteAllText(Path.Combine(lockDir, "owner"), "deployment 1900 (1900-0000000), run gone\n");
        File.WriteAllText(Path.Combine(lockDir, "until"), $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5}\n");
        SshServers.Run("chown", "-R", ReleaseFleet.Users[0], lockDir);
        _fleet.WriteFile("index.html", "v2");
        using var sandbox = Sandbox(1902, Sha2, null, on: [0]);

        var result = await RunAsync(sandbox, 0);

        Assert.Equal("success", Final(1902).State);
        Assert.Contains(result.Lines, l => l.Contains("took over the lock", StringComparison.Ordinal) && l.Contains("deployment 1900", StringComparison.Ordinal));
        Assert.False(Directory.Exists(lockDir));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_current_pointing_outside_releases_is_refused_before_anything_is_uploaded_or_switched()
    {
        var legacy = Path.Combine(_fleet.Root(0), "legacy-site");
        var apps = Path.GetDirectoryName(_fleet.Root(0))!;
        var madeApps = !Directory.Exists(apps);
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, "index.html"), "legacy");
        File.CreateSymbolicLink(Path.Combine(_fleet.Root(0), "current"), "legacy-site");
        SshServers.Run("chown", "-R", "-h", ReleaseFleet.Users[0], madeApps ? apps : _fleet.Root(0));
        _fleet.WriteFile("index.html", "v1");
        using var sandbox = Sandbox(2001, Sha1, null, on: [0]);

        var result = await RunAsync(sandbox, 1);

        var status = Final(2001);
        Assert.Equal("error", status.State);
        Assert.Contains("current points outside releases/", status.Description);
        Assert.Contains("move that folder into releases/", result.Log);
        Assert.Equal("legacy-site", _fleet.Current(0));
        Assert.Empty(_fleet.Releases(0));
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not seen within {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }
}
