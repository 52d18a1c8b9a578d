namespace DeployRunner.IntegrationTests.Ssh;

/// <summary>Certificates and bastion chains through the built runner, as the Actions runner starts it, against real sshd and a fake GitHub API.</summary>
[Collection(CertificateServersCollection.Name)]
public sealed class SshCertificateRunnerTests(CertificateServers servers) : IAsyncLifetime
{
    private FakeGitHubApi _api = null!;
    private readonly string _scratch = Directory.CreateTempSubdirectory("deploy-runner-ssh-certs-e2e-").FullName;

    public async Task InitializeAsync() => _api = await FakeGitHubApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    private string Chain => $"{CertificateServers.Hop1}:{servers.Port},{CertificateServers.User}@{CertificateServers.Hop2}:{servers.Port}";

    private RunnerSandbox Sandbox(string script) =>
        new RunnerSandbox(WebhookEvents.Deployment(), _api)
            .Input("handler", "ssh")
            .Input("hosts", string.Join(", ", CertificateServers.Good.Select(servers.Host)))
            .Input("ssh-user", CertificateServers.User)
            .Input("ssh-key", servers.Ed25519.PrivateKey)
            .Input("ssh-certificate", servers.SignUser(servers.Ed25519, id: "runner-cert"))
            .Input("ssh-known-hosts", $"@cert-authority [127.0.4.*]:*,[127.0.5.*]:* {servers.HostCa}\n{servers.KnownHostsName(CertificateServers.Hop2)} {servers.Hop2HostKey}\n")
            .Input("connect-timeout", "20s")
            .Input("script", script);

    [Fact(Timeout = 120_000)]
    public async Task I_can_deploy_with_a_user_certificate_through_two_bastions_each_reaching_only_the_next()
    {
        using var sandbox = Sandbox("echo \"deployed from $(echo $SSH_CONNECTION | cut -d' ' -f1)\"").Input("ssh-jump-host", Chain);
        var (hop1Before, hop2Before) = (CountLogins(servers.Log("hop1")), CountLogins(servers.Log("hop2")));

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        result.ShouldExitWith(0);
        Assert.Equal(["in_progress", "success"], _api.States);
        // Hop 2 opened the tunnels to the servers (hop 1 may forward only to hop 2).
        Assert.Contains(result.Lines, l => l.StartsWith($"{servers.Host(CertificateServers.Good[0])} | deployed from", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith($"{servers.Host(CertificateServers.Good[1])} | deployed from", StringComparison.Ordinal));
        Assert.Contains($"target {CertificateServers.Good[1]} port {servers.Port}", servers.Log("hop2"));
        Assert.Contains($"target {CertificateServers.Hop2} port {servers.Port}", servers.Log("hop1"));
        // One chain for the run: each hop logged in once (check and run phases share it).
        Assert.Equal(hop1Before + 1, CountLogins(servers.Log("hop1")));
        Assert.Equal(hop2Before + 1, CountLogins(servers.Log("hop2")));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_wrong_key_at_the_second_hop_refuses_everything_and_nothing_runs()
    {
        using var sandbox = Sandbox($"touch '{_scratch}/ran'")
            .Input("ssh-jump-host", Chain)
            .Input("ssh-known-hosts", $"@cert-authority [127.0.4.*]:*,[127.0.5.*]:* {servers.HostCa}\n{servers.KnownHostsName(CertificateServers.Hop2)} {servers.StrangerHostKey}\n");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(90));

        result.ShouldExitWith(1);
        Assert.Equal("error", _api.States.Last());
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains("jump host 2 of 2", StringComparison.Ordinal)
            && l.Contains("MISMATCH", StringComparison.Ordinal) && l.Contains(servers.FingerprintOf(CertificateServers.Hop2), StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_scratch, "ran")));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_hop_that_drops_mid_run_ends_the_servers_as_failed_with_a_terminal_status_never_a_hang()
    {
        var started = Path.Combine(_scratch, "started");
        using var sandbox = Sandbox($"touch '{started}'-$$; sleep 60").Input("ssh-jump-host", Chain).Input("fail-fast", "false");

        var run = sandbox.RunAsync(TimeSpan.FromSeconds(90));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.GetFiles(_scratch, "started-*").Length < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(2, Directory.GetFiles(_scratch, "started-*").Length);
        servers.DropSessions(CertificateServers.Hop2);
        var result = await run;

        result.ShouldExitWith(1);
        Assert.Equal(["in_progress", "error"], _api.States);
        Assert.Contains(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal) && l.Contains(servers.Host(CertificateServers.Good[0]), StringComparison.Ordinal) && l.Contains("connection", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_dry_run_shows_the_certificate_and_the_chain_and_connects_to_nothing()
    {
        using var sandbox = Sandbox($"touch '{_scratch}/ran'").Input("ssh-jump-host", Chain).Input("dry-run", "true");

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(0);
        Assert.Contains(result.Lines, l => l.Contains("user certificate 'runner-cert'", StringComparison.Ordinal)
            && l.Contains($"principals: {CertificateServers.Principal}", StringComparison.Ordinal) && l.Contains("valid from", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.Contains($"Jump hosts: root@{CertificateServers.Hop1}:{servers.Port} -> root@{CertificateServers.Hop2}:{servers.Port} -> each host", StringComparison.Ordinal));
        Assert.Empty(_api.Statuses);
        Assert.False(File.Exists(Path.Combine(_scratch, "ran")));
    }

    [Fact(Timeout = 120_000)]
    public async Task An_expired_user_certificate_is_a_configuration_error_before_in_progress_saying_how_long_ago()
    {
        using var sandbox = Sandbox($"touch '{_scratch}/ran'").Input("ssh-certificate", servers.SignUser(servers.Ed25519, validity: "-3h:-2h", id: "old-cert"));

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("'old-cert' is expired 2 h ago", error);
        // A configuration error: one error status, never in_progress.
        Assert.Equal(["error"], _api.States);
        Assert.False(File.Exists(Path.Combine(_scratch, "ran")));
    }

    public static TheoryData<string, string> BadChains => new()
    {
        { "b1,b2,b3,b4,b5,b6,b7,b8,b9", "lists 9 hops; at most 8" },
        { "bastion1,,bastion2", "has an empty hop" },
        { "bastion1,", "has an empty hop" },
        { "bastion1,ops@Bastion1:22", "passes through bastion1 twice" },
        { "bastion1:2222,bastion2,bastion1:2222", "passes through bastion1:2222 twice" },
        { "bastion one,bastion2", "'bastion one' is not a host name" },
        { "..,bastion2", "'..' is not a host name" },
        { "bastion1,../../etc", "'../../etc' is not a host name" },
        { "-oProxyCommand=touch /tmp/pwned", "is not a host name" },
        { "-oProxyCommand", "'-oProxyCommand' is not a host name" },
        { "bastion1\u001b[31m,bastion2", "'bastion1?[31m' is not a host name" },
        { "bastion1\n::warning::injected", "bastion1" },
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(BadChains))]
    public async Task A_bad_chain_is_a_configuration_error_naming_the_input_before_in_progress_and_nothing_runs(string chain, string expected)
    {
        using var sandbox = Sandbox($"touch '{_scratch}/ran'").Input("ssh-jump-host", chain);

        var result = await sandbox.RunAsync(TimeSpan.FromSeconds(60));

        result.ShouldExitWith(2);
        var error = Assert.Single(result.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        Assert.Contains("Input `ssh-jump-host`", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain('\u001b', string.Concat(result.Lines));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::warning", StringComparison.Ordinal));
        Assert.Equal(["error"], _api.States);
        Assert.False(File.Exists(Path.Combine(_scratch, "ran")));
        Assert.False(File.Exists("/tmp/pwned"));
    }

    /// <summary>Logins an sshd log recorded ("Accepted publickey"), including the certificate ones.</summary>
    private static int CountLogins(string log) =>
        log.Split('\n').Count(l => l.Contains("Accepted publickey", StringComparison.Ordinal));
}
