using System.Text.Json.Nodes;
using DeployRunner.Handlers;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// Releases over real OpenSSH servers on loopback (three servers, each its own login user and
/// deploy path): assertions on the servers' file systems after each phase.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleaseTests(SshServers servers) : IAsyncLifetime
{
    private const string Sha1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Sha2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Sha3 = "3333333ccccccccccccccccccccccccccccccccc";

    private readonly ReleaseFleet _fleet = new(servers, "app-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SshHarness _harness = new(servers);
    private FakeApp _app = null!;

    public async Task InitializeAsync() => _app = await FakeApp.StartAsync(SshServers.FleetAddresses.Take(3));

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_fleet.Workspace, recursive: true);
        foreach (var i in new[] { 0, 1, 2 })
        {
            if (Directory.Exists(_fleet.Root(i))) Directory.Delete(_fleet.Root(i), recursive: true);
        }
    }

    private Task<SshRun> DeployAsync(Inputs.InputSet inputs, long id, string sha, string task = "deploy", JsonNode? payload = null, CancellationToken cancellationToken = default, Action<string>? onLine = null) =>
        _harness.RunAsync(inputs, WebhookEvents.Deployment(id: id, sha: sha, task: task, payload: payload), cancellationToken, onLine);

    private static string Name(long id, string sha) => $"{id}-{sha[..7]}";

    [Fact(Timeout = 120_000)]
    public async Task A_release_reaches_every_server_and_current_switches_only_after_phase_one_succeeded_everywhere()
    {
        _fleet.WriteFile("index.html", "v1");
        _fleet.WriteFile("bin/start", "#!/bin/sh\necho start\n", executable: true);
        _fleet.WriteFile("assets/css/site.css", "body{}");
        // Phase one runs inside the new release; what it sees as current proves current is untouched then.
        var script = "readlink \"$DEPLOY_PATH/current\" > seen-current || echo none > seen-current; pwd -P > seen-pwd";
        var inputs = _fleet.Inputs(script);

        var first = await DeployAsync(inputs, 101, Sha1);

        Assert.True(first.Result.Outcome == HandlerOutcome.Succeeded, first.Log);
        var name1 = Name(101, Sha1);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"releases/{name1}", _fleet.Current(i));
            var release = Path.Combine(_fleet.Root(i), "releases", name1);
            Assert.Equal("v1", File.ReadAllText(Path.Combine(release, "index.html")));
            Assert.Equal("body{}", File.ReadAllText(Path.Combine(release, "assets/css/site.css")));
            Assert.True((File.GetUnixFileMode(Path.Combine(release, "bin/start")) & UnixFileMode.UserExecute) != 0, "the exec bit survives the upload");
            Assert.Equal("none", File.ReadAllText(Path.Combine(release, "seen-current")).Trim());
            Assert.Equal(release, File.ReadAllText(Path.Combine(release, "seen-pwd")).Trim());
            // Nothing to link from: the whole tree went as one tar stream over the checked connection.
            Assert.Contains("sent 3 files", first.Target(_fleet.Display(i)).Reason);
            Assert.Contains("one tar stream", first.Target(_fleet.Display(i)).Reason);
        }

        _fleet.WriteFile("index.html", "v2");
        var second = await DeployAsync(inputs, 102, Sha2);

        Assert.True(second.Result.Outcome == HandlerOutcome.Succeeded, second.Log);
        var name2 = Name(102, Sha2);
        for (var i = 0; i < 3; i++)
        {
            var old = Path.Combine(_fleet.Root(i), "releases", name1);
            var now = Path.Combine(_fleet.Root(i), "releases", name2);
            Assert.Equal($"releases/{name2}", _fleet.Current(i));
            Assert.Equal($"releases/{name1}", File.ReadAllText(Path.Combine(now, "seen-current")).Trim());
            // The unchanged file was copied on the server (its own inode, same content and mode), the
            // changed one sent; no file is shared with the previous release, which keeps its content.
            Assert.NotEqual(ReleaseFleet.Inode(Path.Combine(old, "assets/css/site.css")), ReleaseFleet.Inode(Path.Combine(now, "assets/css/site.css")));
            Assert.Equal("body{}", File.ReadAllText(Path.Combine(now, "assets/css/site.css")));
            // The changed file and the lists went over the run's own connection: no SFTP session for a few files.
            Assert.Contains("sent 1 file (0.0 MB, one tar stream), copied 2 unchanged on the server", second.Target(_fleet.Display(i)).Reason);
            Assert.True(File.Exists(Path.Combine(_fleet.Root(i), ".deploy-runner", name2 + ".manifest")));
            Assert.False(File.Exists(Path.Combine(_fleet.Root(i), ".deploy-runner", name2 + ".manifest-new")));
            Assert.NotEqual(ReleaseFleet.Inode(Path.Combine(old, "index.html")), ReleaseFleet.Inode(Path.Combine(now, "index.html")));
            Assert.Equal("v1", File.ReadAllText(Path.Combine(old, "index.html")));
            Assert.Equal("v2", File.ReadAllText(Path.Combine(now, "index.html")));
            // Files the script made in the old release are not carried into the new one by the links.
            Assert.Contains("sent 1 file ", second.Target(_fleet.Display(i)).Reason);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_script_failing_on_one_server_in_phase_one_switches_nothing_anywhere()
    {
        _fleet.WriteFile("index.html", "v1");
        var good = await DeployAsync(_fleet.Inputs("true"), 201, Sha1);
        Assert.True(good.Result.Outcome == HandlerOutcome.Succeeded, good.Log);

        _fleet.WriteFile("index.html", "v2");
        var failing = _fleet.Inputs("[ \"$(echo \"$SSH_CONNECTION\" | cut -d' ' -f3)\" != 127.0.0.3 ] || exit 7").With("fail-fast", "false");
        var bad = await DeployAsync(failing, 202, Sha2);

        Assert.Equal(HandlerOutcome.Failed, bad.Result.Outcome);
        Assert.Contains("nothing was switched", bad.Result.Reason);
        Assert.Equal(7, bad.Target(_fleet.Display(1)).ExitCode);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"releases/{Name(201, Sha1)}", _fleet.Current(i));
            Assert.Contains("not switched", bad.Target(_fleet.Display(i)).Reason);
        }

        Assert.Contains($"\tfailed\t{Name(202, Sha2)}", File.ReadAllText(Path.Combine(_fleet.Root(1), ".deploy-runner/releases.log")));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_failed_health_check_on_one_of_three_servers_rolls_all_three_back_and_runs_the_hook_again()
    {
        _fleet.WriteFile("index.html", "v1");
        var inputs = _fleet.Inputs(null)
            .With("after-switch", "echo \"$DEPLOY_RELEASE\" >> \"$HOME/hook-$(basename \"$DEPLOY_PATH\")\"")
            .With("health-check-url", $"http://{{host}}:{_app.Port}/up")
            .With("health-check-timeout", "3s");
        var good = await DeployAsync(inputs, 301, Sha1);
        Assert.True(good.Result.Outcome == HandlerOutcome.Succeeded, good.Log);
        Assert.Contains("healthy (HTTP 200)", good.Target(_fleet.Display(2)).Reason);

        _app.MarkUnhealthy(_fleet.Address(2));
        _fleet.WriteFile("index.html", "v2");
        var bad = await DeployAsync(inputs, 302, Sha2);

        Assert.Equal(HandlerOutcome.Failed, bad.Result.Outcome);
        Assert.Contains($"rolled back 3 servers to release {Name(301, Sha1)}", bad.Result.Reason);
        Assert.Contains("health check failed", bad.Result.Reason);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"releases/{Name(301, Sha1)}", _fleet.Current(i));
            var hooks = File.ReadAllLines(Path.Combine(_fleet.Home(i), "hook-" + Path.GetFileName(_fleet.DeployPath)));
            Assert.Equal([Name(301, Sha1), Name(302, Sha2), Name(301, Sha1)], hooks);
            Assert.Contains($"rolled back to {Name(301, Sha1)}", bad.Target(_fleet.Display(i)).Reason);
        }

        Assert.Contains("unhealthy (HTTP 500", bad.Target(_fleet.Display(2)).Reason);
        Assert.Contains($"{_fleet.Address(2)}/up", _app.Asked);
    }

    [Fact(Timeout = 120_000)]
    public async Task With_auto_rollback_off_a_failed_health_check_fails_and_leaves_the_servers_on_the_new_release()
    {
        _fleet.WriteFile("index.html", "v1");
        var inputs = _fleet.Inputs(null, 0, 1)
            .With("health-check-url", $"http://{{host}}:{_app.Port}/up")
            .With("health-check-timeout", "2s")
            .With("auto-rollback", "false");
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 351, Sha1)).Result.Outcome);

        _app.MarkUnhealthy(_fleet.Address(0));
        var bad = await DeployAsync(inputs, 352, Sha2);

        Assert.Equal(HandlerOutcome.Failed, bad.Result.Outcome);
        Assert.Contains("no rollback (auto-rollback is off)", bad.Result.Reason);
        Assert.Equal($"releases/{Name(352, Sha2)}", _fleet.Current(0));
        Assert.Equal($"releases/{Name(352, Sha2)}", _fleet.Current(1));
    }

    [Fact(Timeout = 180_000)]
    public async Task Pruning_keeps_the_newest_good_releases_and_failed_ones_never_push_out_the_last_good_one()
    {
        var inputs = _fleet.Inputs("[ ! -f fail ]", 0).With("keep-releases", "2");
        _fleet.WriteFile("index.html", "1");
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 401, Sha1)).Result.Outcome);
        _fleet.WriteFile("index.html", "2");
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 402, Sha2)).Result.Outcome);
        _fleet.WriteFile("fail", "");
        Assert.Equal(HandlerOutcome.Failed, (await DeployAsync(inputs, 403, Sha3)).Result.Outcome);
        Assert.Equal(HandlerOutcome.Failed, (await DeployAsync(inputs, 404, Sha3)).Result.Outcome);
        Assert.Equal($"releases/{Name(402, Sha2)}", _fleet.Current(0));
        File.Delete(Path.Combine(_fleet.Workspace, "fail"));

        // A folder the runner did not make is never pruned.
        Directory.CreateDirectory(Path.Combine(_fleet.Root(0), "releases", "keep-me"));
        var last = await DeployAsync(inputs, 405, Sha1);

        Assert.True(last.Result.Outcome == HandlerOutcome.Succeeded, last.Log);
        Assert.Equal([Name(402, Sha2), Name(405, Sha1), "keep-me"], _fleet.Releases(0));
        Assert.Equal($"releases/{Name(405, Sha1)}", _fleet.Current(0));
        Assert.False(File.Exists(Path.Combine(_fleet.Root(0), ".deploy-runner", Name(401, Sha1) + ".manifest")));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_rollback_task_switches_every_server_back_to_the_previous_release_or_to_a_given_deployment()
    {
        var inputs = _fleet.Inputs(null, 0, 1).With("after-switch", "echo \"$DEPLOY_RELEASE $DEPLOY_TASK\" >> \"$HOME/hook-$(basename \"$DEPLOY_PATH\")\"");
        _fleet.WriteFile("index.html", "1");
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 501, Sha1)).Result.Outcome);
        _fleet.WriteFile("index.html", "2");
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 502, Sha2)).Result.Outcome);

        var back = await DeployAsync(inputs.With("script", "touch \"$HOME/script-ran-on-rollback\""), 503, Sha3, task: "rollback");

        Assert.True(back.Result.Outcome == HandlerOutcome.Succeeded, back.Log);
        Assert.Equal($"Rolled back to {Name(501, Sha1)}", back.Result.Description);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal($"releases/{Name(501, Sha1)}", _fleet.Current(i));
            Assert.Equal($"{Name(501, Sha1)} rollback", File.ReadAllLines(Path.Combine(_fleet.Home(i), "hook-" + Path.GetFileName(_fleet.DeployPath))).Last());
            Assert.False(File.Exists(Path.Combine(_fleet.Home(i), "script-ran-on-rollback")), "a rollback does not run the deploy script");
        }

        var forward = await DeployAsync(inputs, 504, Sha3, task: "rollback", payload: new JsonObject { ["release"] = "502" });

        Assert.True(forward.Result.Outcome == HandlerOutcome.Succeeded, forward.Log);
        Assert.Equal($"Rolled back to {Name(502, Sha2)}", forward.Result.Description);
        Assert.Equal($"releases/{Name(502, Sha2)}", _fleet.Current(0));
        Assert.Equal($"releases/{Name(502, Sha2)}", _fleet.Current(1));

        var missing = await DeployAsync(inputs, 505, Sha3, task: "rollback", payload: new JsonObject { ["release"] = "999" });
        Assert.Equal(HandlerOutcome.Errored, missing.Result.Outcome);
        Assert.Contains("no release of deployment 999", missing.Result.Reason);
        Assert.Equal($"releases/{Name(502, Sha2)}", _fleet.Current(0));
    }

    [Fact(Timeout = 120_000)]
    public async Task Cancelling_during_the_upload_leaves_current_untouched_and_removes_the_partial_release()
    {
        _fleet.WriteFile("index.html", "1");
        var inputs = _fleet.Inputs(null);
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 601, Sha1)).Result.Outcome);

        // Enough data that the upload is still going when the cancel comes.
        for (var i = 0; i < 4; i++)
        {
            var big = Path.Combine(_fleet.Workspace, $"big{i}.bin");
            await using var stream = File.Create(big);
            stream.SetLength(150L * 1024 * 1024);
        }

        using var cancel = new CancellationTokenSource();
        var run = await DeployAsync(inputs, 602, Sha2, cancellationToken: cancel.Token, onLine: line =>
        {
            if (line.Contains("phase one uploads", StringComparison.Ordinal)) cancel.CancelAfter(TimeSpan.FromMilliseconds(700));
        });

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.Contains("nothing was switched", run.Result.Reason);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"releases/{Name(601, Sha1)}", _fleet.Current(i));
            Assert.True(_fleet.Releases(i).SequenceEqual([Name(601, Sha1)]), $"server {i} has {string.Join(", ", _fleet.Releases(i))}\n{run.Log}");
            Assert.Empty(Directory.GetFiles(Path.Combine(_fleet.Root(i), ".deploy-runner"), Name(602, Sha2) + ".*"));
            // The stop came while the upload ran (not before it started), and the partial release was removed then.
            Assert.Contains("stopped during the upload; partial release removed", run.Target(_fleet.Display(i)).Reason);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Cancelling_during_phase_two_after_some_servers_switched_rolls_every_switched_server_back_within_the_stop_budget()
    {
        _fleet.WriteFile("index.html", "1");
        // The hook hangs only for the second release, and says so first, so that the stop comes while it runs.
        var inputs = _fleet.Inputs(null).With("after-switch", $"[ \"$DEPLOY_RELEASE\" != {Name(702, Sha2)} ] || {{ echo hook-is-running; sleep 30; }}");
        Assert.Equal(HandlerOutcome.Succeeded, (await DeployAsync(inputs, 701, Sha1)).Result.Outcome);
        _fleet.WriteFile("index.html", "2");

        using var cancel = new CancellationTokenSource();
        long cancelledAt = 0;
        // The stop comes when the first server's hook is running (its own line reached the log), after its switch.
        var run = await DeployAsync(inputs, 702, Sha2, cancellationToken: cancel.Token, onLine: line =>
        {
            if (!line.Contains("| hook-is-running", StringComparison.Ordinal) || Interlocked.CompareExchange(ref cancelledAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0) != 0) return;
            // Off the log writer's thread: the stop's callbacks must not run under its lock.
            _ = cancel.CancelAsync();
        });
        Assert.True(Interlocked.Read(ref cancelledAt) != 0, run.Log);
        var stoppedIn = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref cancelledAt));

        Assert.True(run.Result.Outcome == HandlerOutcome.Errored, run.Log);
        Assert.Contains("stopped during phase two", run.Result.Reason);
        Assert.Contains($"to release {Name(701, Sha1)}", run.Result.Reason);
        Assert.Contains("rolled back", run.Result.Reason);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"releases/{Name(701, Sha1)}", _fleet.Current(i));
        }

        Assert.Contains(run.Result.Targets, t => t.Reason!.Contains($"rolled back to {Name(701, Sha1)}", StringComparison.Ordinal));
        // The runner's stop budget is about 7 s; the rollback must fit well inside it.
        Assert.True(stoppedIn < TimeSpan.FromSeconds(5), $"the run ended {stoppedIn.TotalSeconds:0.0} s after the stop\n{run.Log}");
    }
}
