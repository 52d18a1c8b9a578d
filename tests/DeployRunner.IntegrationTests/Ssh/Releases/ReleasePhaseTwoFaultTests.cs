using DeployRunner.Edge;
using DeployRunner.Events;
using DeployRunner.GitHub;
using DeployRunner.Inputs;
using DeployRunner.Workflow;

namespace DeployRunner.IntegrationTests.Ssh.Releases;

/// <summary>
/// A fault of the runner's own (not an SSH or IO error) at each step of phase two, on a fleet of
/// two where the first server has gone live and the second fails: the real run, in process, with
/// statuses posted to the fake GitHub API. The fault comes in through the job log, the one seam
/// every step writes through: the log throws when a step announces itself.
/// </summary>
[Collection(SshServersCollection.Name)]
public sealed class ReleasePhaseTwoFaultTests(SshServers servers) : IAsyncLifetime
{
    private const string Sha1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Sha2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Sha3 = "3333333ccccccccccccccccccccccccccccccccc";

    private readonly ReleaseFleet _fleet = new(servers, "fault-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeApp _app = null!;
    private FakeGitHubApi _api = null!;

    public async Task InitializeAsync()
    {
        _app = await FakeApp.StartAsync(SshServers.FleetAddresses.Take(2));
        _api = await FakeGitHubApi.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_fleet.Workspace, recursive: true);
        foreach (var i in new[] { 0, 1 })
        {
            if (Directory.Exists(_fleet.Root(i))) Directory.Delete(_fleet.Root(i), recursive: true);
        }
    }

    private static string Name(long id, string sha) => $"{id}-{sha[..7]}";

    /// <summary>One server at a time, so the first is live before the second starts phase two; the hook notes what it sees.</summary>
    private InputSet Inputs() => _fleet.Inputs(null, 0, 1)
        .With("max-parallel", "1")
        .With("health-check-url", $"http://{{host}}:{_app.Port}/up")
        .With("health-check-timeout", "5s")
        .With("after-switch", "echo \"$DEPLOY_RELEASE $DEPLOY_PREVIOUS_RELEASE\" >> \"$DEPLOY_PATH/hook.log\"");

    /// <summary>The runner's main step as Program runs it, statuses to the fake API, the job log wrapped by <paramref name="wrapLog"/>.</summary>
    private async Task<(int ExitCode, string Log)> DeployAsync(InputSet inputs, long id, string sha, Func<IWorkflowLog, IWorkflowLog>? wrapLog = null)
    {
        var writer = new StringWriter();
        IWorkflowLog log = new ConsoleWorkflowLog(writer, debugEnabled: false);
        if (wrapLog is not null) log = wrapLog(log);
        var variables = new Dictionary<string, string> { ["GITHUB_API_URL"] = _api.BaseUrl, ["GITHUB_REPOSITORY"] = "octo/app" };
        var environment = RunnerEnvironment.From(variables, Path.GetTempPath());
        var deployment = DeploymentEventReader.Parse(WebhookEvents.Deployment(id: id, sha: sha)).Deployment;
        using var handler = new HttpClientHandler();
        var github = new OctokitGitHubDeployments(new Uri(_api.BaseUrl), "test-token", handler);
        var main = new MainStep(inputs, environment, variables, "octo/app", github, DeployRunner.Locking.GitHubEnvironmentLocks.Create(new Uri(_api.BaseUrl), "test-token", handler, TimeProvider.System), log, dryRun: false, CancellationToken.None);
        var exit = await main.DeployAsync(deployment);
        return (exit, writer.ToString());
    }

    private async Task DeployFirstAsync(InputSet inputs)
    {
        var (exit, log) = await DeployAsync(inputs, 501, Sha1);
        Assert.True(exit == 0, log);
    }

    private void AssertBothOn(string release, string log)
    {
        Assert.True($"releases/{release}" == _fleet.Current(0), $"server 0 is on {_fleet.Current(0)}\n{log}");
        Assert.True($"releases/{release}" == _fleet.Current(1), $"server 1 is on {_fleet.Current(1)}\n{log}");
    }

    private PostedStatus Terminal(long id)
    {
        var status = _api.Statuses.Last(s => s.DeploymentId == id);
        Assert.Contains(status.State, new[] { "success", "failure", "error" });
        return status;
    }

    public static TheoryData<string, string> Steps => new()
    {
        // After the second server's switch took place (the line that says so throws).
        { "switch", "{1}: current -> releases/{new}" },
        // When the second server's after-switch is about to run.
        { "after-switch", "{1}: running after-switch" },
        // When the second server's health check is about to be polled.
        { "health check", "{1}: waiting for " },
    };

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Steps))]
    public async Task A_fault_of_the_runners_own_in_phase_two_rolls_back_the_server_already_live_and_posts_a_failure(string step, string trigger)
    {
        var inputs = Inputs();
        _fleet.WriteFile("index.html", "v1");
        await DeployFirstAsync(inputs);

        _fleet.WriteFile("index.html", "v2");
        var line = trigger.Replace("{1}", _fleet.Display(1), StringComparison.Ordinal).Replace("{new}", Name(502, Sha2), StringComparison.Ordinal);
        var (exit, log) = await DeployAsync(inputs, 502, Sha2, inner => new FaultingLog(inner, line, () => new InvalidOperationException($"injected at the {step}")));

        Assert.NotEqual(0, exit);
        AssertBothOn(Name(501, Sha1), log);
        var status = Terminal(502);
        Assert.True(status.State is "failure" or "error", $"{status.State}: {status.Description}\n{log}");
        Assert.Contains("rolled back", status.Description ?? "", StringComparison.Ordinal);
        Assert.Contains($"the runner failed: InvalidOperationException: injected at the {step}", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_UriFormatException_at_the_health_check_rolls_back_the_server_already_live()
    {
        var inputs = Inputs();
        _fleet.WriteFile("index.html", "v1");
        await DeployFirstAsync(inputs);

        var line = $"{_fleet.Display(1)}: waiting for ";
        var (exit, log) = await DeployAsync(inputs, 502, Sha2, inner => new FaultingLog(inner, line, () => new UriFormatException("Invalid URI: injected")));

        Assert.NotEqual(0, exit);
        AssertBothOn(Name(501, Sha1), log);
        Assert.Contains("rolled back", Terminal(502).Description ?? "", StringComparison.Ordinal);
        Assert.Contains("the runner failed: UriFormatException: Invalid URI: injected", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_fault_while_rolling_back_one_server_still_rolls_back_the_other_and_says_the_rollback_failed()
    {
        // The second server's after-switch fails for the new release only, so both go back; the
        // first server's hook after its switch back then meets a fault of the runner's own.
        var inputs = Inputs().With("after-switch", $"echo \"$DEPLOY_RELEASE $DEPLOY_PREVIOUS_RELEASE\" >> \"$DEPLOY_PATH/hook.log\"; [ \"$USER.$DEPLOY_RELEASE\" != \"{ReleaseFleet.Users[1]}.{Name(502, Sha2)}\" ]");
        _fleet.WriteFile("index.html", "v1");
        await DeployFirstAsync(inputs);

        var line = $"{_fleet.Display(0)}: running after-switch (rollback)";
        var (exit, log) = await DeployAsync(inputs, 502, Sha2, inner => new FaultingLog(inner, line, () => new NullReferenceException("injected during the rollback")));

        Assert.NotEqual(0, exit);
        AssertBothOn(Name(501, Sha1), log);
        var status = Terminal(502);
        Assert.True(status.State == "error", $"{status.State}: {status.Description}\n{log}");
        Assert.Contains("the rollback failed too", status.Description ?? "", StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_fault_while_pruning_leaves_the_release_live_everywhere_and_posts_success()
    {
        // Pruning comes after every server is live and healthy: a fault there is a warning, and
        // rolling a healthy fleet back for it would be worse; the fleet stays consistent on the new release.
        var inputs = Inputs().With("keep-releases", "2");
        _fleet.WriteFile("index.html", "v1");
        await DeployFirstAsync(inputs);
        Assert.Equal(0, (await DeployAsync(inputs, 502, Sha2)).ExitCode);

        var line = $"{_fleet.Display(0)}: pruned ";
        var (exit, log) = await DeployAsync(inputs, 503, Sha3, inner => new FaultingLog(inner, line, () => new InvalidOperationException("injected in the prune")));

        Assert.True(exit == 0, log);
        AssertBothOn(Name(503, Sha3), log);
        Assert.Equal("success", Terminal(503).State);
        Assert.Contains("could not prune old releases: injected in the prune", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task After_an_automatic_rollback_after_switch_sees_the_release_rolled_back_from_as_previous()
    {
        var inputs = Inputs();
        _fleet.WriteFile("index.html", "v1");
        await DeployFirstAsync(inputs);
        _app.MarkUnhealthy(_fleet.Address(1));

        var (exit, log) = await DeployAsync(inputs.With("health-check-timeout", "2s"), 502, Sha2);

        Assert.NotEqual(0, exit);
        AssertBothOn(Name(501, Sha1), log);
        var hook = File.ReadAllLines(Path.Combine(_fleet.Root(0), "hook.log"));
        Assert.Equal($"{Name(501, Sha1)} {Name(502, Sha2)}", hook[^1]);
        Assert.Equal($"{Name(502, Sha2)} {Name(501, Sha1)}", hook[^2]);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_failed_phase_one_script_shows_its_last_lines_in_the_error()
    {
        _fleet.WriteFile("index.html", "v1");
        var (exit, log) = await DeployAsync(_fleet.Inputs("echo first-words; echo last-words; exit 7", 0), 501, Sha1);

        Assert.NotEqual(0, exit);
        var errors = log.Split('\n').Where(l => l.StartsWith("::error", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Any(l => l.Contains("script failed (exit code 7)", StringComparison.Ordinal) && l.Contains("Last output:%0Afirst-words%0Alast-words", StringComparison.Ordinal)), log);
        Assert.DoesNotContain("last-words", Terminal(501).Description ?? "", StringComparison.Ordinal);
    }

    /// <summary>The job log, which throws (once) when a line starting with <paramref name="trigger"/> is written.</summary>
    private sealed class FaultingLog(IWorkflowLog inner, string trigger, Func<Exception> fault) : IWorkflowLog
    {
        private int _thrown;

        private void Check(string message)
        {
            if (message.StartsWith(trigger, StringComparison.Ordinal) && Interlocked.Exchange(ref _thrown, 1) == 0) throw fault();
        }

        public void Mask(string secret, bool eachLine = true) => inner.Mask(secret, eachLine);

        public void Info(string message)
        {
            Check(message);
            inner.Info(message);
        }

        public void Debug(string message) => inner.Debug(message);

        public void Warning(string message, string? title = null)
        {
            Check(message);
            inner.Warning(message, title);
        }

        public void Error(string message, string? title = null) => inner.Error(message, title);

        public void Untrusted(string text) => inner.Untrusted(text);

        public void Output(string line) => inner.Output(line);

        public void FlushOutput() => inner.FlushOutput();

        public string BeginUntrustedBlock() => inner.BeginUntrustedBlock();

        public void EndUntrustedBlock(string token) => inner.EndUntrustedBlock(token);

        public void StartGroup(string title) => inner.StartGroup(title);

        public void EndGroup() => inner.EndGroup();
    }
}
