using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DeployRunner.Handlers;

namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>The ssh handler against real OpenSSH servers on loopback.</summary>
[Collection(SshServersCollection.Name)]
public sealed class SshHandlerTests(SshServers servers) : IDisposable
{
    /// <summary>The server address the script runs on, from sshd's SSH_CONNECTION.</summary>
    private const string Here = "here=$(echo \"$SSH_CONNECTION\" | cut -d' ' -f3)\n";

    private readonly SshHarness _ssh = new(servers);

    private string Scratch => _ssh.Scratch;

    public void Dispose() => Directory.Delete(Scratch, recursive: true);

    [Fact(Timeout = 60_000)]
    public async Task I_can_deploy_to_two_hosts_in_parallel_and_see_one_result_per_host()
    {
        // Each host waits until both have started: only a parallel run can pass.
        var script = Here + $"""
            touch '{Scratch}'/"$here.started"
            echo "deploying $DEPLOY_REF on $here"
            for i in $(seq 200); do
              [ "$(ls '{Scratch}' | grep -c started)" -ge 2 ] && exit 0
              sleep 0.05
            done
            echo "the other host never started" >&2
            exit 9
            """;

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0, 1));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Equal([servers.Host(0), servers.Host(1)], run.Result.Targets.Select(t => t.Target));
        Assert.All(run.Result.Targets, t => Assert.Equal(("ok", (int?)0), (t.Result, t.ExitCode)));
        Assert.Contains($"{servers.Host(0)} | deploying main on 127.0.0.2", run.Lines);
        Assert.Contains($"{servers.Host(1)} | deploying main on 127.0.0.3", run.Lines);
        Assert.Contains(run.Lines, l => l.StartsWith("[1/2] ", StringComparison.Ordinal) && l.Contains(" ok in ", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("[2/2] ", StringComparison.Ordinal) && l.Contains(" ok in ", StringComparison.Ordinal));
        Assert.Empty(run.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task I_can_deploy_to_an_IPv6_host_written_in_brackets()
    {
        var inputs = _ssh.Inputs(Here + "echo \"on $here\"", 0)
            .With("hosts", servers.IPv6Host)
            .With("ssh-known-hosts", $"{servers.IPv6Host} {servers.FleetHostKey}\n");

        var run = await _ssh.RunAsync(inputs);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Equal(servers.IPv6Host, run.Result.Targets.Single().Target);
        Assert.Contains($"{servers.IPv6Host} | on ::1", run.Lines);
        // One host has no "slowest": the summary names one only when there is a choice.
        Assert.StartsWith("The script succeeded on the host in ", run.Result.Reason, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task With_max_parallel_1_the_hosts_run_one_after_another_in_the_order_given()
    {
        var journal = Path.Combine(Scratch, "journal");
        var script = Here + $"echo \"start $here\" >> '{journal}'; sleep 0.3; echo \"end $here\" >> '{journal}'";

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 2, 0, 1).With("max-parallel", "1"));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Equal(
            ["start 127.0.0.4", "end 127.0.0.4", "start 127.0.0.2", "end 127.0.0.2", "start 127.0.0.3", "end 127.0.0.3"],
            File.ReadAllLines(journal));
        Assert.Contains($"[1/3] {servers.Host(2)} ok", string.Join('\n', run.Lines));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_failing_host_fails_the_deployment_and_with_fail_fast_the_hosts_not_started_are_skipped()
    {
        var script = Here + $"touch '{Scratch}'/\"$here\"; [ \"$here\" != 127.0.0.3 ] || {{ echo 'migration 42 failed'; exit 3; }}";

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0, 1, 2).With("max-parallel", "1"));

        Assert.Equal(HandlerOutcome.Failed, run.Result.Outcome);
        Assert.Equal(("ok", (int?)0), (run.Target(servers.Host(0)).Result, run.Target(servers.Host(0)).ExitCode));
        Assert.Equal(("failed", (int?)3), (run.Target(servers.Host(1)).Result, run.Target(servers.Host(1)).ExitCode));
        Assert.Equal("skipped", run.Target(servers.Host(2)).Result);
        Assert.Contains("fail-fast", run.Target(servers.Host(2)).Reason);
        Assert.False(File.Exists(Path.Combine(Scratch, "127.0.0.4")), "the host after the failure must not run");
        // One annotation names the host, the exit code and its last output.
        Assert.Contains(run.Errors, e => e.Contains(servers.Host(1), StringComparison.Ordinal) && e.Contains("exit code 3", StringComparison.Ordinal)
                                         && e.Contains("Last output:%0Amigration 42 failed", StringComparison.Ordinal));
        Assert.Contains(servers.Host(1), run.Result.Reason);
    }

    [Fact(Timeout = 60_000)]
    public async Task Without_fail_fast_every_host_runs_and_the_failed_one_is_named()
    {
        var script = Here + $"touch '{Scratch}'/\"$here\"; [ \"$here\" != 127.0.0.3 ] || exit 4";

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0, 1, 2).With("max-parallel", "1").With("fail-fast", "false"));

        Assert.Equal(HandlerOutcome.Failed, run.Result.Outcome);
        Assert.Equal(["ok", "failed", "ok"], run.Result.Targets.Select(t => t.Result));
        Assert.True(File.Exists(Path.Combine(Scratch, "127.0.0.4")));
        Assert.Single(run.Errors, e => e.Contains(servers.Host(1), StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrong_host_key_refuses_the_host_runs_nothing_anywhere_and_names_the_offered_fingerprint()
    {
        var knownHosts = servers.KnownHosts("127.0.0.2") + $"[127.0.0.3]:{servers.FleetPort} {servers.StrangerHostKey}\n";
        var inputs = _ssh.Inputs($"touch '{Scratch}'/ran", 0, 1).With("ssh-known-hosts", knownHosts);

        var run = await _ssh.RunAsync(inputs);

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.False(File.Exists(Path.Combine(Scratch, "ran")), "nothing may run when a host key is refused");
        Assert.Equal("refused", run.Target(servers.Host(1)).Result);
        Assert.Equal("skipped", run.Target(servers.Host(0)).Result);
        var error = Assert.Single(run.Errors, e => e.Contains("MISMATCH", StringComparison.Ordinal));
        Assert.Contains(servers.Host(1), error);
        Assert.Contains(servers.FleetFingerprint, error);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_host_missing_from_known_hosts_is_refused_when_strict_and_accepted_with_a_loud_warning_when_not()
    {
        var inputs = _ssh.Inputs($"touch '{Scratch}'/ran", 0, 1).With("ssh-known-hosts", servers.KnownHosts("127.0.0.2"));

        var strict = await _ssh.RunAsync(inputs);

        Assert.Equal(HandlerOutcome.Errored, strict.Result.Outcome);
        Assert.False(File.Exists(Path.Combine(Scratch, "ran")));
        var error = Assert.Single(strict.Errors, e => e.Contains("unknown host key", StringComparison.Ordinal));
        Assert.Contains(servers.Host(1), error);
        Assert.Contains(servers.FleetFingerprint, error);

        var lax = await _ssh.RunAsync(inputs.With("ssh-strict", "false"));

        Assert.True(lax.Result.Outcome == HandlerOutcome.Succeeded, lax.Log);
        Assert.True(File.Exists(Path.Combine(Scratch, "ran")));
        var warning = Assert.Single(lax.Lines, l => l.StartsWith("::warning", StringComparison.Ordinal));
        Assert.Contains("UNVERIFIED", warning);
        Assert.Contains(servers.Host(1), warning);
    }

    [Fact]
    public void Strict_checking_without_known_hosts_or_fingerprints_is_a_configuration_error()
    {
        var inputs = _ssh.Inputs("true").With("ssh-known-hosts", "");

        var error = Assert.Throws<ConfigurationException>(() => SshHarness.Create(inputs, new NullWorkflowLog()));

        Assert.Contains("ssh-known-hosts", error.Message);
        Assert.Contains("ssh-keyscan", error.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Hashed_known_hosts_entries_are_matched()
    {
        var inputs = _ssh.Inputs("echo hashed-ok", 0, 3).With("ssh-known-hosts", servers.Hashed(servers.KnownHosts()));

        var run = await _ssh.RunAsync(inputs);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains($"{servers.Host(3)} | hashed-ok", run.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pinned_fingerprints_are_enough_and_a_wrong_one_refuses_the_host()
    {
        var pinned = _ssh.Inputs("echo pinned-ok", 0, 1).With("ssh-known-hosts", "").With("ssh-fingerprints", $"SHA256:{new string('A', 43)}\n{servers.FleetFingerprint}");

        var run = await _ssh.RunAsync(pinned);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);

        var wrong = await _ssh.RunAsync(pinned.With("ssh-fingerprints", servers.BastionFingerprint));

        Assert.Equal(HandlerOutcome.Errored, wrong.Result.Outcome);
        Assert.DoesNotContain(wrong.Lines, l => l.Contains("pinned-ok", StringComparison.Ordinal));
        Assert.Contains(wrong.Errors, e => e.Contains(servers.FleetFingerprint, StringComparison.Ordinal));
    }

    public static TheoryData<string, bool, bool> Keys => new()
    {
        // key, CRLF line ends, drop the final newline
        { "ed25519", false, false },
        { "rsa-pem", true, true },
        { "ecdsa", true, false },
        { "ed25519-encrypted", false, true },
        { "rsa-pem-encrypted", true, false },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Keys))]
    public async Task I_can_log_in_with_an_ed25519_RSA_ECDSA_or_encrypted_key_pasted_with_CRLF_or_without_final_newline(string name, bool crlf, bool trimEnd)
    {
        var key = name switch
        {
            "ed25519" => servers.Ed25519,
            "rsa-pem" => servers.RsaPem,
            "ecdsa" => servers.Ecdsa,
            "ed25519-encrypted" => servers.EncryptedEd25519,
            _ => servers.EncryptedRsaPem,
        };
        var text = crlf ? key.PrivateKey.Replace("\n", "\r\n", StringComparison.Ordinal) : key.PrivateKey;
        if (trimEnd) text = text.TrimEnd();
        var inputs = _ssh.Inputs("echo logged-in", 0).With("ssh-key", text);
        if (key.Passphrase is not null) inputs = inputs.With("ssh-passphrase", key.Passphrase);

        var run = await _ssh.RunAsync(inputs);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains($"{servers.Host(0)} | logged-in", run.Lines);
        Assert.DoesNotContain(run.Lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal) && !l.StartsWith("::add-mask::", StringComparison.Ordinal));
    }

    [Fact]
    public void A_wrong_or_missing_passphrase_is_a_clear_configuration_error_without_the_secret_in_it()
    {
        var inputs = _ssh.Inputs("true").With("ssh-key", servers.EncryptedEd25519.PrivateKey);

        var missing = Assert.Throws<ConfigurationException>(() => SshHarness.Create(inputs, new NullWorkflowLog()));
        var wrong = Assert.Throws<ConfigurationException>(() => SshHarness.Create(inputs.With("ssh-passphrase", "not-the-passphrase"), new NullWorkflowLog()));
        var wrongPem = Assert.Throws<ConfigurationException>(() => SshHarness.Create(inputs.With("ssh-key", servers.EncryptedRsaPem.PrivateKey).With("ssh-passphrase", "not-the-passphrase"), new NullWorkflowLog()));

        Assert.Contains("ssh-passphrase", missing.Message);
        Assert.Contains("passphrase is wrong", wrong.Message);
        Assert.Contains("passphrase is wrong", wrongPem.Message);
        foreach (var message in new[] { missing.Message, wrong.Message, wrongPem.Message })
        {
            Assert.DoesNotContain("not-the-passphrase", message);
            Assert.DoesNotContain("PRIVATE", message);
            Assert.DoesNotContain('\n', message);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Hostile_deployment_values_reach_the_remote_script_byte_for_byte_and_run_nothing()
    {
        var hostile = "it's \"quoted\" $(touch " + Scratch + "/pwned) `touch " + Scratch + "/pwned2` ${HOME} \\ \n second line\t'\\'' ; exit 7 # ünïcødé";
        var eventJson = WebhookEvents.Deployment(@ref: "feature/$(touch " + Scratch + "/pwned3)", payload: new JsonObject { ["note"] = hostile });
        var script = $"printf '%s' \"$DEPLOY_PAYLOAD_NOTE\" > '{Scratch}/note'; printf '%s' \"$DEPLOY_REF\" > '{Scratch}/ref'";

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0), eventJson);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Equal(hostile, File.ReadAllText(Path.Combine(Scratch, "note")));
        Assert.Equal("feature/$(touch " + Scratch + "/pwned3)", File.ReadAllText(Path.Combine(Scratch, "ref")));
        Assert.Empty(Directory.GetFiles(Scratch, "pwned*"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Remote_output_cannot_become_a_workflow_command()
    {
        var script = "echo '::set-output name=hacked::yes'; echo '::add-mask::nothing'; echo 'text ##[set-output name=hacked;]yes'; echo '::error::fake' >&2";

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        WorkflowLogAssert.NoUntrustedCommands(run.Lines, "::set-output", "::add-mask::nothing", "::error::fake");
        Assert.Contains($"{servers.Host(0)} | ::set-output name=hacked::yes", run.Lines);
        // The legacy form is honoured anywhere in a line: it may only appear while commands are stopped.
        var legacy = run.Lines.ToList().FindIndex(l => l.Contains("##[set-output", StringComparison.Ordinal));
        Assert.True(legacy > 0 && run.Lines[legacy - 1].StartsWith("::stop-commands::", StringComparison.Ordinal), run.Log);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_during_a_long_remote_command_stops_it_and_leaves_no_remote_process()
    {
        var pids = Path.Combine(Scratch, "pids");
        var script = $"echo $$ >> '{pids}'; sleep 301 & echo $! >> '{pids}'; echo started; wait";
        using var cancel = new CancellationTokenSource();
        var cancelledAt = DateTime.MaxValue;

        var running = _ssh.RunAsync(
            _ssh.Inputs(script, 0, 1, 2, 3),
            cancellationToken: cancel.Token,
            onLine: l =>
            {
                if (!l.EndsWith("| started", StringComparison.Ordinal) || File.ReadAllLines(pids).Length < 8) return;
                cancelledAt = DateTime.UtcNow;
                _ = Task.Run(cancel.Cancel);
            });
        var finished = await Task.WhenAny(running, Task.Delay(30_000));
        Assert.Same(running, finished);
        var run = await running;

        // The runner gives a handler 3.5 s to stop once cancelled (ShutdownBudget).
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(3.5), $"stopped {(DateTime.UtcNow - cancelledAt).TotalSeconds:0.0} s after the cancel");
        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.All(run.Result.Targets, t => Assert.Equal("cancelled", t.Result));
        await RemoteProcesses.AssertGoneAsync(pids, TimeSpan.FromSeconds(3));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remote_script_that_ignores_TERM_is_killed_all_the_same()
    {
        var pids = Path.Combine(Scratch, "pids");
        var script = $"trap '' TERM; echo $$ >> '{pids}'; sleep 302 & echo $! >> '{pids}'; echo started; wait";
        using var cancel = new CancellationTokenSource();

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0), onLine: l => { if (l.EndsWith("| started", StringComparison.Ordinal)) _ = Task.Run(cancel.Cancel); }, cancellationToken: cancel.Token);

        Assert.Equal("cancelled", run.Result.Targets.Single().Result);
        await RemoteProcesses.AssertGoneAsync(pids, TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dropped_connection_is_a_host_error_and_the_remote_script_dies_with_it()
    {
        // The script kills its own sshd session process (the supervisor's parent): the connection
        // drops without any signal request, and only the supervisor's stdin watch can clean up.
        var pids = Path.Combine(Scratch, "pids");
        var script = $"echo $$ >> '{pids}'; sleep 305 & echo $! >> '{pids}'; sleep 0.2; kill -9 \"$(ps -o ppid= -p $PPID | tr -d ' ')\"; wait";

        var run = await _ssh.RunAsync(_ssh.Inputs(script, 0));

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        var target = run.Target(servers.Host(0));
        Assert.Equal("error", target.Result);
        Assert.Contains("connection", target.Reason);
        await RemoteProcesses.AssertGoneAsync(pids, TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 60_000)]
    public async Task I_can_deploy_through_a_jump_host_whose_key_is_checked_too()
    {
        var inputs = _ssh.Inputs("echo via-bastion", 0, 1)
            .With("ssh-jump-host", $"{SshServers.BastionAddress}:{servers.BastionPort}")
            .With("ssh-known-hosts", servers.KnownHosts() + servers.BastionKnownHosts);

        var run = await _ssh.RunAsync(inputs);

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.Contains($"{servers.Host(1)} | via-bastion", run.Lines);
        var bastionLog = await File.ReadAllTextAsync(servers.BastionLog);
        Assert.Contains($"target 127.0.0.3 port {servers.FleetPort}", bastionLog);

        var wrongBastionKey = await _ssh.RunAsync(inputs.With("ssh-known-hosts", servers.KnownHosts() + $"[{SshServers.BastionAddress}]:{servers.BastionPort} {servers.StrangerHostKey}\n"));

        Assert.Equal(HandlerOutcome.Errored, wrongBastionKey.Result.Outcome);
        Assert.Contains(wrongBastionKey.Errors, e => e.Contains("MISMATCH", StringComparison.Ordinal) && e.Contains(servers.BastionFingerprint, StringComparison.Ordinal));
        Assert.DoesNotContain(wrongBastionKey.Lines, l => l.Contains("| via-bastion", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_remove_task_runs_the_remove_script_on_every_host()
    {
        var inputs = _ssh.Inputs($"touch '{Scratch}'/deployed", 0, 1).With("remove-script", Here + $"echo \"removing $DEPLOY_ENVIRONMENT\"; touch '{Scratch}'/\"removed-$here\"");

        var run = await _ssh.RunAsync(inputs, WebhookEvents.Deployment(task: "remove", environment: "pr-42", transient: true));

        Assert.True(run.Result.Outcome == HandlerOutcome.Succeeded, run.Log);
        Assert.True(File.Exists(Path.Combine(Scratch, "removed-127.0.0.2")));
        Assert.True(File.Exists(Path.Combine(Scratch, "removed-127.0.0.3")));
        Assert.False(File.Exists(Path.Combine(Scratch, "deployed")));
        Assert.Contains($"{servers.Host(0)} | removing pr-42", run.Lines);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrong_user_a_refused_connection_and_a_silent_server_each_get_a_one_line_reason_naming_the_host()
    {
        using var silent = new TcpListener(IPAddress.Parse("127.0.0.6"), 0);
        silent.Start(); // accepts connections, never says a word
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Parse("127.0.0.7"), 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var inputs = _ssh.Inputs("echo should-not-run", 0)
            .With("hosts", $"nobody-here@{servers.Host(0)}\n127.0.0.6:{silentPort}\n127.0.0.7:{closedPort}")
            .With("ssh-strict", "false")
            .With("connect-timeout", "2s")
            .With("fail-fast", "false");

        var run = await _ssh.RunAsync(inputs);

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        Assert.Equal(["error", "error", "error"], run.Result.Targets.Select(t => t.Result));
        Assert.Contains("user 'nobody-here' was refused", run.Target(servers.Host(0)).Reason);
        Assert.Contains("no SSH answer within 2.0 s", run.Target($"127.0.0.6:{silentPort}").Reason);
        Assert.Contains("connection refused", run.Target($"127.0.0.7:{closedPort}").Reason);
        Assert.Contains(run.Errors, e => e.Contains($"127.0.0.7:{closedPort}", StringComparison.Ordinal) && e.Contains("connection refused", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Lines, l => l.Contains("should-not-run", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_key_the_server_does_not_accept_is_refused_with_a_reason_naming_host_user_and_key()
    {
        var run = await _ssh.RunAsync(_ssh.Inputs("echo should-not-run", 0).With("ssh-key", servers.Unauthorized.PrivateKey));

        Assert.Equal(HandlerOutcome.Errored, run.Result.Outcome);
        var error = Assert.Single(run.Errors, e => e.Contains("was refused", StringComparison.Ordinal));
        Assert.Contains(servers.Host(0), error);
        Assert.Contains("user 'root'", error);
        Assert.Contains("authorized_keys", error);
        Assert.DoesNotContain(run.Lines, l => l.Contains("should-not-run", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_key_is_masked_and_never_printed()
    {
        var run = await _ssh.RunAsync(_ssh.Inputs("echo done", 0));

        var keyLines = servers.Ed25519.PrivateKey.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        Assert.Contains(run.Lines, l => l.StartsWith("::add-mask::", StringComparison.Ordinal));
        foreach (var line in run.Lines.Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal)))
            Assert.DoesNotContain(keyLines, k => line.Contains(k, StringComparison.Ordinal));
    }
}
